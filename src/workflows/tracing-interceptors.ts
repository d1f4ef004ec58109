// Workflow-side tracing, in every bundle (src/temporal/workflow-bundle.ts) but active only for
// what arrives with a trace context: a worker or client without tracing sends none, and then
// no span is made, no sink called. Wraps Temporal's own OpenTelemetry interceptors and adds
// what a long-lived transaction needs: the workflow task a callback's signal starts is a span
// of that callback's trace, and an activity scheduled during that task (a post-signing step, a
// confirmation) belongs to it too, not to the registration that started the run days ago.
//
// Deterministic: what is traced depends only on headers, which are in the history.
import * as otel from '@opentelemetry/api';
import {
  extractContextFromHeaders,
  headersWithContext,
  TRACE_HEADER,
} from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import {
  workflowInfo,
  type ActivateInput,
  type ConcludeActivationInput,
  type Next,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

type Headers = Parameters<typeof extractContextFromHeaders>[0];

const isTraced = (headers: Headers | null | undefined): headers is Headers =>
  !!headers && headers[TRACE_HEADER] !== undefined;

type Job = NonNullable<ActivateInput['activation']['jobs']>[number];

/** The headers of the jobs a caller sends: a start, a signal, an update. */
const jobHeaders = (job: Job) =>
  (job.initializeWorkflow ?? job.signalWorkflow ?? job.doUpdate)?.headers as Headers | undefined;

/** The trace context of the first job of an activation that carries one. */
function activationParent(input: ActivateInput): otel.Context | undefined {
  const traced = input.activation.jobs?.map(jobHeaders).find(isTraced);
  return traced && extractContextFromHeaders(traced);
}

class TracedRun {
  private sdk?: { inbound: OpenTelemetryInboundInterceptor; outbound: OpenTelemetryOutboundInterceptor };
  /** The span of the workflow task under way, when a traced job started it. */
  private task?: { span: otel.Span; context: otel.Context };

  /** Made on first need: the SDK's interceptors register a tracer provider in the sandbox. */
  private otel() {
    this.sdk ??= { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor() };
    return this.sdk;
  }

  startTask(input: ActivateInput): void {
    if (this.task) return; // a later batch of the same activation
    if (!input.activation.jobs?.some((job) => isTraced(jobHeaders(job)))) return;
    // Extracting needs the sandbox's propagator, which the SDK's interceptors register.
    this.otel();
    const parent = activationParent(input);
    if (!parent) return;
    const info = workflowInfo();
    const span = otel.trace
      .getTracer('countersign-workflow')
      .startSpan(
        `WorkflowTask:${info.workflowType}`,
        { attributes: { temporalWorkflowId: info.workflowId, run_id: info.runId } },
        parent,
      );
    this.task = { span, context: otel.trace.setSpan(parent, span) };
  }

  endTask(): void {
    this.task?.span.end();
    this.task = undefined;
  }

  /** Headers whose trace context is the current task's span, so a handler's span nests under it. */
  private underTask<T extends { headers: Headers }>(input: T): T {
    const task = this.task;
    return task
      ? { ...input, headers: otel.context.with(task.context, () => headersWithContext(input.headers)) }
      : input;
  }

  inbound(): WorkflowInboundCallsInterceptor {
    return {
      execute: (input, next) =>
        isTraced(input.headers) ? this.otel().inbound.execute(this.underTask(input), next) : next(input),
      handleSignal: (input, next) =>
        isTraced(input.headers) ? this.otel().inbound.handleSignal(this.underTask(input), next) : next(input),
      handleUpdate: (input, next) =>
        isTraced(input.headers) ? this.otel().inbound.handleUpdate(this.underTask(input), next) : next(input),
    };
  }

  /**
   * The context an outbound call belongs to: the active span when it is of the current task's
   * trace (a handler's), else the task (the main loop woke up because of it), else whatever
   * traced span is active (the run's own, when a tracing client started it). None: untraced.
   */
  private cause(): otel.Context | undefined {
    const active = otel.context.active();
    const activeSpan = otel.trace.getSpan(active);
    if (this.task) {
      const sameTrace = activeSpan?.spanContext().traceId === this.task.span.spanContext().traceId;
      return sameTrace ? active : this.task.context;
    }
    return activeSpan ? active : undefined;
  }

  private traced<I, O>(
    input: I,
    next: (input: I) => Promise<O>,
    sdk: (input: I, next: (input: I) => Promise<O>) => Promise<O>,
  ) {
    const cause = this.cause();
    return cause ? otel.context.with(cause, () => sdk(input, next)) : next(input);
  }

  outbound(): WorkflowOutboundCallsInterceptor {
    const out = () => this.otel().outbound;
    return {
      scheduleActivity: (input, next) => this.traced(input, next, (i, n) => out().scheduleActivity(i, n)),
      scheduleLocalActivity: (input, next) => this.traced(input, next, (i, n) => out().scheduleLocalActivity(i, n)),
      startChildWorkflowExecution: (input, next) =>
        this.traced(input, next, (i, n) => out().startChildWorkflowExecution(i, n)),
      signalWorkflow: (input, next) => this.traced(input, next, (i, n) => out().signalWorkflow(i, n)),
      continueAsNew: (input, next) => this.traced(input, next, (i, n) => out().continueAsNew(i, n)),
      getLogAttributes: (input, next) => (this.sdk ? this.sdk.outbound.getLogAttributes(input, next) : next(input)),
    };
  }

  internals(): WorkflowInternalsInterceptor {
    const sdkInternals = new OpenTelemetryInternalsInterceptor();
    return {
      activate: (input: ActivateInput, next: Next<WorkflowInternalsInterceptor, 'activate'>) => {
        this.startTask(input);
        return next(input);
      },
      concludeActivation: (
        input: ConcludeActivationInput,
        next: Next<WorkflowInternalsInterceptor, 'concludeActivation'>,
      ) => {
        this.endTask();
        return next(input);
      },
      dispose: (input, next) => {
        // The SDK's own disables the sandbox's context manager, which exists only once used.
        if (this.sdk) void sdkInternals.dispose(input, next);
        else next(input);
      },
    };
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const run = new TracedRun();
  return { inbound: [run.inbound()], outbound: [run.outbound()], internals: [run.internals()] };
};
