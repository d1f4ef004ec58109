// The built-in post-signing steps. Name them in a step plan like any activity:
// `{"onSigned": ["downloadSignedDocument", "notifyApplication"]}`.
import type { Config } from '../../config';
import { createDownloadSignedDocument, type DownloadDeps } from './download-signed-document';
import { createNotifyApplication, type NotifyDeps } from './notify-application';
import { accountOfWorkflowId, perAccount } from '../../providers/accounts';
import type { DocumentFetcher, ProviderModule } from '../../providers/module';
import { STEP_FAILURE, nonRetryable } from '../../providers/kit/download/failures';

export interface StepDeps {
  download: DownloadDeps;
  notify: NotifyDeps;
}

export function createStepActivities(deps: StepDeps) {
  return {
    downloadSignedDocument: createDownloadSignedDocument(deps.download),
    notifyApplication: createNotifyApplication(deps.notify),
  };
}

export { STEP_FAILURE } from '../../providers/kit/download/failures';

/** A provider's document fetcher, with the credentials of the transaction's account. */
function documentsOf(config: Config, m: ProviderModule): DocumentFetcher {
  const byAccount: Record<string, DocumentFetcher> = { default: m.documents!(config.providers[m.name]) };
  for (const [account, settings] of Object.entries(config.accounts[m.name] ?? {}))
    byAccount[account] = m.documents!(settings);
  return perAccount<Parameters<DocumentFetcher>, ReturnType<DocumentFetcher>>(
    byAccount,
    (tx) => accountOfWorkflowId(tx.workflowId),
    (account) =>
      Promise.reject(nonRetryable(STEP_FAILURE.notConfigured, `${m.name} account ${account} is not configured`)),
  );
}
export type { DownloadResult } from './download-signed-document';
export type { NotificationBody, NotifyResult } from './notify-application';

/** The built-in steps' settings, from the parsed configuration. */
export function stepDepsFromConfig(config: Config): StepDeps {
  return {
    download: {
      documentsDir: config.steps.documentsDir,
      fetchers: Object.fromEntries(
        config.providerModules.modules.flatMap((m) => (m.documents ? [[m.name, documentsOf(config, m)]] : [])),
      ),
    },
    notify: { ...config.steps.notify },
  };
}
