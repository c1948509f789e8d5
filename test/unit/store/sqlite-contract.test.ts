/** The ChatStore contract (test/helpers/store-contract.ts) on SQLite files in a temp folder. */
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { storeContract } from '../../helpers/store-contract.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

storeContract('SQLite store', async () => {
  const { dir, cleanup } = await makeTempDir('tessenger-store-');
  return { open: async (maxQueued) => openSqliteStore(dir, maxQueued), cleanup };
});
