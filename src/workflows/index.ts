export { signingWorkflow } from './signing';
export { registeredMailWorkflow } from './registered-mail';
export { lateCallbackWorkflow } from './late-callback';
