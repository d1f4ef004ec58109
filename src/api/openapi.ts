// The OpenAPI 3.1 document of every HTTP endpoint, generated from the same zod schemas that
// validate requests, so the document cannot drift from what the server accepts.
import { z } from 'zod';
import { REFUSALS, type Provider, type Refusal } from '../providers/provider';
import type { ProviderRegistry } from '../providers/registry';
import { workflowIdFor } from '../common/ids';
import { listTransactionsQueryFor, transactionListResponse } from './list-query';
import {
  errorResponse,
  heldDecisionBody,
  registerTransactionBodyFor,
  registerTransactionResponse,
  transactionStateResponse,
} from './transaction-schemas';

type JsonObject = Record<string, unknown>;

const OUTCOMES: Array<'accepted' | Refusal> = ['accepted', ...REFUSALS];

/** The JSON Schema of what a client may send (defaults optional, transforms' input side). */
export function requestJsonSchema(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  return rest;
}

function responseJsonSchema(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** Query parameters from a zod object schema: one per property, none required unless the schema says so. */
function queryParameters(schema: z.ZodType): JsonObject[] {
  const { properties = {}, required = [] } = requestJsonSchema(schema) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: 'query',
      required: required.includes(name),
      schema: rest,
      ...(description !== undefined && { description }),
    };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonObject) => ({ 'application/json': { schema } });
const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/** Responses of one provider's callback paths, from the provider's own `answer`. */
function callbackResponses(provider: Provider): JsonObject {
  const byStatus = new Map<number, { outcomes: string[]; body?: unknown }>();
  for (const outcome of OUTCOMES) {
    const answer = provider.answer(outcome);
    const entry = byStatus.get(answer.status) ?? { outcomes: [], body: answer.body };
    entry.outcomes.push(outcome);
    byStatus.set(answer.status, entry);
  }
  const responses: JsonObject = {};
  for (const [status, { outcomes, body }] of [...byStatus].sort(([a], [b]) => a - b)) {
    const response: JsonObject = { description: outcomes.join(', ') };
    if (typeof body === 'string' && body !== '')
      response.content = { 'text/plain': { schema: { type: 'string' }, example: body } };
    if (body && typeof body === 'object')
      response.content = { 'application/json': { schema: ref('Error'), example: body } };
    responses[String(status)] = response;
  }
  return responses;
}

function callbackPaths(provider: Provider, schemaName: string | undefined): JsonObject {
  const paths: JsonObject = {};
  for (const path of provider.callbackPaths) {
    const full = `/callbacks/${provider.name}${path === '/' ? '' : path}`;
    paths[full] = {
      post: {
        tags: ['callbacks'],
        operationId: `callback${pascal(provider.name)}${path === '/' ? '' : pascal(path.replace(/\//g, '-'))}`,
        summary: `${provider.name} callback`,
        description:
          'Validated, answered as the provider expects, and signalled to the transaction workflow. 2xx means durably recorded.',
        requestBody: { required: false, content: json(schemaName ? ref(schemaName) : { type: 'object' }) },
        responses: callbackResponses(provider),
      },
    };
  }
  return paths;
}

/** The `workflowId` path parameter, its example at the registry's first signing provider. */
function workflowIdParameterFor(registry: ProviderRegistry): JsonObject {
  const provider = registry.tracking('signing')[0] ?? registry.names[0];
  return {
    name: 'workflowId',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    example: workflowIdFor({ provider, kind: 'signing', externalId: 'tx-1' }),
  };
}

export function buildOpenApiDocument(registry: ProviderRegistry, providers: Provider[], version = '0.1.0'): JsonObject {
  const workflowIdParameter = workflowIdParameterFor(registry);
  const schemas: JsonObject = {
    RegisterTransactionRequest: requestJsonSchema(registerTransactionBodyFor(registry)),
    RegisterTransactionResponse: responseJsonSchema(registerTransactionResponse),
    TransactionState: responseJsonSchema(transactionStateResponse),
    TransactionList: responseJsonSchema(transactionListResponse),
    Error: responseJsonSchema(errorResponse),
    HeldFinalDecision: requestJsonSchema(heldDecisionBody),
  };
  let paths: JsonObject = {};
  for (const provider of providers) {
    const callbackSchema = registry.get(provider.name)?.callbackSchema;
    const schemaName = callbackSchema ? `${pascal(provider.name)}Callback` : undefined;
    if (callbackSchema && schemaName) schemas[schemaName] = requestJsonSchema(callbackSchema);
    paths = { ...paths, ...callbackPaths(provider, schemaName) };
  }
  const errors = (codes: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(codes).map(([code, description]) => [code, { description, content: json(ref('Error')) }]),
    );
  const plain = (description: string, type: string) => ({
    description,
    content: { [type]: { schema: { type: type === 'application/json' ? 'object' : 'string' } } },
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'Countersign',
      version,
      description:
        'Tracks e-signature transactions on Temporal: provider callbacks, the application API, health and metrics.',
    },
    tags: [
      { name: 'callbacks', description: 'Provider callbacks (webhooks, postbacks)' },
      { name: 'transactions', description: 'Application API' },
      { name: 'operations', description: 'Health, readiness, metrics, this document' },
    ],
    paths: {
      ...paths,
      '/transactions': {
        post: {
          tags: ['transactions'],
          operationId: 'registerTransaction',
          summary: 'Start or register a transaction (idempotent on provider + kind + externalId)',
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(ref('RegisterTransactionRequest')) },
          responses: {
            '201': { description: 'registered now', content: json(ref('RegisterTransactionResponse')) },
            '200': { description: 'already registered', content: json(ref('RegisterTransactionResponse')) },
            ...errors({
              '400': 'invalid body',
              '401': 'missing or wrong bearer token',
              '403': 'no token configured and caller not on loopback',
              '503': 'Temporal, or a worker for a transaction already running, did not answer within 10 s: retry',
            }),
          },
        },
        get: {
          tags: ['transactions'],
          operationId: 'listTransactions',
          summary: 'Transactions, the latest change first (close time once closed, else start time), a page at a time',
          security: [{ bearer: [] }],
          parameters: queryParameters(listTransactionsQueryFor(registry)),
          responses: {
            '200': { description: 'one page; nextCursor when more follow', content: json(ref('TransactionList')) },
            ...errors({
              '400': 'invalid query (detail names the parameter)',
              '401': 'missing or wrong bearer token',
              '403': 'no token configured and caller not on loopback',
              '503': 'Temporal unavailable',
            }),
          },
        },
      },
      '/transactions/{workflowId}': {
        get: {
          tags: ['transactions'],
          operationId: 'getTransactionState',
          summary: "The transaction's state query",
          security: [{ bearer: [] }],
          parameters: [workflowIdParameter],
          responses: {
            '200': { description: 'state', content: json(ref('TransactionState')) },
            ...errors({
              '401': 'missing or wrong bearer token',
              '403': 'no token configured and caller not on loopback',
              '404': 'unknown transaction',
              '500': 'the state cannot be decrypted (the detail names the missing key id)',
              '503': 'Temporal unavailable',
            }),
          },
        },
      },
      '/transactions/{workflowId}/held-final': {
        post: {
          tags: ['transactions'],
          operationId: 'decideHeldFinal',
          summary: "An operator accepts or rejects a final status held for the provider's confirmation",
          security: [{ bearer: [] }],
          parameters: [workflowIdParameter],
          requestBody: { required: true, content: json(ref('HeldFinalDecision')) },
          responses: {
            '200': plain('settled: the status it has now', 'application/json'),
            ...errors({
              '400': 'invalid body (decision, by and reason are required)',
              '401': 'missing or wrong bearer token',
              '403': 'no token configured and caller not on loopback',
              '404': 'unknown or closed transaction',
              '409': 'nothing is held',
              '503': 'Temporal unavailable',
            }),
          },
        },
      },
      '/transactions/{workflowId}/retry-steps': {
        post: {
          tags: ['transactions'],
          operationId: 'retryFailedSteps',
          summary: 'Run the post-signing steps that failed for good again',
          security: [{ bearer: [] }],
          parameters: [workflowIdParameter],
          responses: {
            '200': plain('the steps being retried, and whether a new run was started', 'application/json'),
            ...errors({
              '401': 'missing or wrong bearer token',
              '403': 'no token configured and caller not on loopback',
              '404': 'unknown transaction',
              '409': 'no step failed',
              '503': 'Temporal unavailable',
            }),
          },
        },
      },
      '/operator/refused': {
        get: {
          tags: ['operations'],
          operationId: 'recentRefusedCallbacks',
          summary: 'Recent refused callbacks with their reason (this process only)',
          security: [{ bearer: [] }],
          parameters: [
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
          ],
          responses: {
            '200': plain('recent refusals, newest first', 'application/json'),
            ...errors({
              '401': 'missing or wrong bearer token',
              '403': 'no token configured and caller not on loopback',
            }),
          },
        },
      },
      '/healthz': {
        get: {
          tags: ['operations'],
          operationId: 'healthz',
          summary: 'Process up',
          responses: { '200': plain('up', 'application/json') },
        },
      },
      '/readyz': {
        get: {
          tags: ['operations'],
          operationId: 'readyz',
          summary: 'Temporal reachable',
          responses: {
            '200': plain('ready', 'application/json'),
            '503': plain('Temporal not reachable', 'application/json'),
          },
        },
      },
      '/metrics': {
        get: {
          tags: ['operations'],
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          responses: { '200': plain('Prometheus text format', 'text/plain') },
        },
      },
      '/openapi.json': {
        get: {
          tags: ['operations'],
          operationId: 'openapi',
          summary: 'This document',
          responses: { '200': plain('OpenAPI 3.1', 'application/json') },
        },
      },
    },
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'COUNTERSIGN_API_TOKEN' } },
    },
  };
}
