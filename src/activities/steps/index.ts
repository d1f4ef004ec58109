// The built-in post-signing steps. Name them in a step plan like any activity:
// `{"onSigned": ["downloadSignedDocument", "notifyApplication"]}`.
import type { Config } from '../../config';
import { createDownloadSignedDocument, type DownloadDeps } from './download-signed-document';
import { createNotifyApplication, type NotifyDeps } from './notify-application';

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

export { STEP_FAILURE } from './failures';
export type { DownloadResult } from './download-signed-document';
export type { NotificationBody, NotifyResult } from './notify-application';

/** The built-in steps' settings, from the parsed configuration. */
export function stepDepsFromConfig(config: Config): StepDeps {
  return {
    download: {
      documentsDir: config.steps.documentsDir,
      fetchers: Object.fromEntries(
        config.providerModules.modules.flatMap((m) =>
          m.documents ? [[m.name, m.documents(config.providers[m.name])]] : [],
        ),
      ),
    },
    notify: { ...config.steps.notify },
  };
}
