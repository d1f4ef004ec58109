import type { ProviderName } from '../common/types';

/** `{TEMPORAL_TASK_QUEUE}-follow-up-{provider}`: where a provider's follow-up activities run. */
export function followUpTaskQueue(taskQueue: string, provider: ProviderName): string {
  return `${taskQueue}-follow-up-${provider}`;
}
