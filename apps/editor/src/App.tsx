import { FLOW_SCHEMA_V1 } from '@trellis/schema';

/** The editor's shell: the canvas arrives with the editor issue. */
export function App() {
  return (
    <main>
      <h1>Trellis</h1>
      <p>
        The canvas is on its way. Meanwhile, flows ({FLOW_SCHEMA_V1}) run from the command line: <code>pnpm trellis run examples/support-triage.flow.json</code>.
      </p>
    </main>
  );
}
