/**
 * A published flow's slug: the `<slug>` of `/v1/flows/<slug>`. One rule for the runner, which
 * refuses a bad slug, and the editor, which explains it while the person types.
 */
export const SLUG_MAX_LENGTH = 63;
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
