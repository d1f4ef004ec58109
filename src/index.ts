// Countersign for TypeScript users: run the worker with your own post-signing activities, and
// register transactions from your application. `import { ... } from 'countersign'`.
export { startCountersignWorker, type CountersignWorkerOptions, type RunningCountersignWorker } from './worker';
export { startSigningTransaction, startRegisteredMail, getTransactionState, workflowIdFor, countersignDataConverter } from './client';
export { loadConfig, ConfigError, type Config } from './config';
export { STEP_FAILURE, type DownloadResult, type NotificationBody, type NotifyResult } from './activities/steps';
export { UserActivitiesError, type UserActivities, type UserActivity, type UserActivitiesContext } from './user-activities';
export type * from './shared/types';
