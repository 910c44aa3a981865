/**
 * The domain's error class and `errorMessage` live with the error catalog in packages/schema;
 * kinds and the engine import them from here as before.
 */
export { TrellisError, errorMessage, type TrellisErrorOptions } from '@trellis/schema';
