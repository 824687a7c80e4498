import { checkMasterKey, loadMasterKey } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { SecretBox } from '../crypto/secret-box.js';
import { openConfiguredStore } from '../server/start.js';
import { KeyRing } from '../tokens/key-ring.js';

/**
 * `open-sts rotate-session-keys`: adds a new session-token key to the ring in the store. Live
 * sessions keep working until they expire (retired keys stay as long as the longest session);
 * running nodes start sealing with the new key within a minute.
 */
export async function runRotateCommand(argv: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const config = loadConfig(argv, env);
  const store = await openConfiguredStore(config);
  try {
    await store.migrate();
    const secrets = new SecretBox(await loadMasterKey(config));
    await checkMasterKey(store, secrets);
    const ring = await KeyRing.rotate(store, secrets, new Date());
    out(`Rotated the session-token key ring: ${ring.size} key(s), the newest seals new sessions.`);
    return 0;
  } finally {
    await store.close();
  }
}
