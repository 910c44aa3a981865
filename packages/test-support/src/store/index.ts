import { approvalStoreSuite } from './approvals.js';
import { credentialStoreSuite } from './credentials.js';
import { flowStoreSuite } from './flows.js';
import { listingStoreSuite } from './listing.js';
import { publishingStoreSuite } from './publishing.js';
import { leaseStoreSuite } from './leases.js';
import { tokenBucketStoreSuite } from './token-buckets.js';
import { runStoreSuite, type OpenStore } from './runs.js';

export { checkpointSuite, type CheckpointSuiteOptions } from './checkpoint.js';
export { promptStoreSuite } from './prompts.js';
export { approvalStoreSuite, credentialStoreSuite, flowStoreSuite, leaseStoreSuite, listingStoreSuite, publishingStoreSuite, runStoreSuite, tokenBucketStoreSuite, type OpenStore };

/**
 * The runner's Store contract, one suite per part of it, against one backend. One database
 * serves them all (as in production, where it is shared), so each test works on ids of its own
 * and filters what it lists. The checkpoint and prompt-library parts are registered apart:
 * the checkpoint part runs on the in-memory store too.
 */
export function storeSuite(name: string, open: OpenStore): void {
  flowStoreSuite(name, open);
  runStoreSuite(name, open);
  leaseStoreSuite(name, open);
  tokenBucketStoreSuite(name, open);
  approvalStoreSuite(name, open);
  listingStoreSuite(name, open);
  publishingStoreSuite(name, open);
  credentialStoreSuite(name, open);
}
