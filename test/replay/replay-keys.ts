// The payload key histories are captured under (a test key, public on purpose): replay
// decrypts what capture encrypted, and histories captured before encryption pass through.
import { createDataConverter } from '../../src/encryption/data-converter';
import { parseKeyList } from '../../src/encryption/keys';

export const REPLAY_KEYS = 'replay-1:cmVwbGF5LWtleS1wdWJsaWMtb24tcHVycG9zZS0wMDA=';
export const replayDataConverter = () => createDataConverter({ keys: parseKeyList(REPLAY_KEYS) });
