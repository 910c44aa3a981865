import { useCallback, useEffect, useState } from 'react';
import { errorMessage, type FlowSummary } from '@trellis/schema';
import type { ApiClient } from '../api';
import { DeleteFlowDialog } from '../flows/DeleteFlowDialog';
import { downloadText } from '../flows/export-flow';
import { createUnderFreeId, duplicateFlow, exportFlow, renameFlow, slugsByFlow } from '../flows/flow-actions';
import { FlowRow, type FlowRowActions } from '../flows/FlowRow';
import { ImportFlow } from '../flows/ImportFlow';
import { NewFlowDialog } from '../flows/NewFlowDialog';

const NO_SLUGS: readonly string[] = [];

/**
 * The flows a person has, most recently changed first: open one on the canvas, create one
 * (blank or from an example), rename, duplicate, delete, import a file or export one. Each
 * change refreshes the list and says what happened in the status line; a failure is said
 * beside the control that caused it.
 */
export function FlowList({ api, onOpen }: { api: ApiClient; onOpen: (id: string) => void }) {
  const [flows, setFlows] = useState<FlowSummary[] | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [published, setPublished] = useState<Map<string, string[]>>(() => new Map());
  const [publishedError, setPublishedError] = useState<string | undefined>();
  const [status, setStatus] = useState('');
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [busyId, setBusyId] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<FlowSummary | undefined>();

  /** Reads the list again; its own failures are shown at the top, never thrown. */
  const reload = useCallback(async () => {
    const [list, endpoints] = await Promise.allSettled([api.listFlows(), api.listPublished()]);
    if (list.status === 'fulfilled') {
      setFlows(list.value);
      setLoadError(undefined);
    } else setLoadError(errorMessage(list.reason));
    if (endpoints.status === 'fulfilled') {
      setPublished(slugsByFlow(endpoints.value));
      setPublishedError(undefined);
    } else setPublishedError(errorMessage(endpoints.reason));
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const takenIds = flows?.map((f) => f.id) ?? [];

  /** Runs one row's action: its status on success, its error beside the row on failure. */
  const act = async (flow: FlowSummary, verb: string, run: () => Promise<string>): Promise<boolean> => {
    setBusyId(flow.id);
    setRowErrors(({ [flow.id]: _, ...rest }) => rest);
    try {
      setStatus(await run());
      await reload();
      return true;
    } catch (e) {
      setRowErrors((errors) => ({ ...errors, [flow.id]: `Could not ${verb} “${flow.name}”: ${errorMessage(e)}` }));
      return false;
    } finally {
      setBusyId(undefined);
    }
  };

  const actions: FlowRowActions = {
    onOpen,
    onRename: (flow, name) =>
      act(flow, 'rename', async () => {
        const saved = await renameFlow(api, flow.id, name);
        return `Renamed “${flow.name}” to “${saved.name}” (version ${saved.version}).`;
      }),
    onDuplicate: (flow) =>
      void act(flow, 'duplicate', async () => {
        const copy = await duplicateFlow(api, flow.id, takenIds);
        return `Duplicated “${flow.name}” as “${copy.name}” (id ${copy.id}).`;
      }),
    onExport: (flow) =>
      void act(flow, 'export', async () => {
        const file = await exportFlow(api, flow.id);
        downloadText(file.fileName, file.text);
        return `Exported version ${file.version} of “${flow.name}” as ${file.fileName}.`;
      }),
    onDelete: (flow) => setDeleting(flow),
  };

  const confirmDelete = async (flow: FlowSummary) => {
    await api.deleteFlow(flow.id);
    setDeleting(undefined);
    setStatus(`Deleted “${flow.name}”.`);
    await reload();
  };

  return (
    <main className="flow-list flows">
      <h1>Flows</h1>
      <div className="flows-toolbar">
        <button type="button" onClick={() => setCreating(true)}>
          New flow
        </button>
        <ImportFlow
          takenIds={takenIds}
          store={(doc) => createUnderFreeId(api, doc, takenIds)}
          onImported={(message) => {
            setStatus(message);
            void reload();
          }}
        />
      </div>
      <p role="status" className="flows-status">
        {status}
      </p>
      {loadError && <p role="alert">Could not load the flows: {loadError}</p>}
      {publishedError && <p role="alert">Could not tell which flows are published: {publishedError}</p>}
      {!flows && !loadError && <p aria-live="polite">Loading…</p>}
      {flows?.length === 0 && <p>No flows yet: create one, or import a flow file.</p>}
      <ul aria-label="Your flows">
        {flows?.map((flow) => (
          <FlowRow key={flow.id} flow={flow} slugs={published.get(flow.id) ?? NO_SLUGS} busy={busyId === flow.id} error={rowErrors[flow.id]} actions={actions} />
        ))}
      </ul>
      {creating && <NewFlowDialog api={api} takenIds={takenIds} onCreated={onOpen} onClose={() => setCreating(false)} />}
      {deleting && <DeleteFlowDialog flow={deleting} slugs={published.get(deleting.id) ?? NO_SLUGS} onDelete={() => confirmDelete(deleting)} onClose={() => setDeleting(undefined)} />}
    </main>
  );
}
