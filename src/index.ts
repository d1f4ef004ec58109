// Countersign for TypeScript users: run the worker with your own post-signing activities, and
// register transactions from your application. `import { ... } from 'countersign'`.
export { startCountersignWorker, type CountersignWorkerOptions, type RunningCountersignWorker } from './app/worker';
export {
  startSigningTransaction,
  startRegisteredMail,
  getTransactionState,
  workflowIdFor,
  countersignDataConverter,
} from './client';
export { loadConfig, ConfigError, type Config } from './config';
export { STEP_FAILURE, type DownloadResult, type NotificationBody, type NotifyResult } from './activities/steps';
export {
  UserActivitiesError,
  type UserActivities,
  type UserActivity,
  type UserActivitiesContext,
} from './activities/user-activities';
export type * from './common/types';
// Writing a provider of your own (docs/providers/writing-a-provider.md).
export {
  defineProvider,
  settingsOf,
  type ProviderModule,
  type ProviderCallSettings,
  type ProviderCommon,
  type FollowUp,
  type ApiDeps,
  type DocumentFetcher,
} from './providers/module';
export { BUILT_IN_PROVIDERS, ProviderRegistry, ProviderRegistryError } from './providers/registry';
export {
  describeIssues,
  receiveCallback,
  standardAnswer,
  REFUSALS,
  UNVERIFIED,
  VERIFIED,
  type Answer,
  type CallbackOutcome,
  type CallbackRequest,
  type ParsedCallback,
  type Provider,
  type RawCallback,
  type Refusal,
  type SenderVerdict,
} from './providers/provider';
export { providerClient } from './providers/provider-call';
export { secretsEqual } from './providers/kit/secrets-equal';
// Its signed documents, downloaded within the step's limits (`documents(settings)`).
export { openLimited, type FetchLimits } from './providers/kit/download/http';
export { readDocuments, type DocumentContent } from './providers/kit/download/document-answer';
export { httpFailure } from './providers/kit/download/failures';
export type { Spool } from './providers/kit/download/spool';
