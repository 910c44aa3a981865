import { describe, expect, it } from 'vitest';
import { FLOW_SCHEMA_V1, type Flow } from '@trellis/schema';
import { openStore } from '../src/store/index.js';

const flow = (tags?: string[]): Flow => ({
  schema: FLOW_SCHEMA_V1,
  id: 'tagged',
  name: 'Tagged',
  ...(tags ? { tags } : {}),
  nodes: [],
  edges: [],
});

/** The flows list shows and filters tags: the summary carries the latest version's, read without the documents. */
describe('flow tags in the listing', () => {
  it('lists the latest version’s tags, and none once they are removed', async () => {
    const store = await openStore();
    try {
      await store.saveFlow(flow(['support', 'billing']));
      expect((await store.listFlows())[0]).toMatchObject({ id: 'tagged', tags: ['support', 'billing'] });
      expect((await store.getFlow('tagged'))?.tags).toEqual(['support', 'billing']);
      await store.saveFlow(flow());
      expect((await store.listFlows())[0]).not.toHaveProperty('tags');
    } finally {
      await store.close();
    }
  });
});
