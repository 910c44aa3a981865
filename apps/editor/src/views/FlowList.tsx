import { Plus } from 'lucide-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { errorMessage, type FlowSummary } from '@trellis/schema';
import type { ApiClient } from '../api';
import { DeleteFlowDialog } from '../flows/DeleteFlowDialog';
import { downloadText } from '../flows/export-flow';
import { createUnderFreeId, duplicateFlow, exportFlow, renameFlow, slugsByFlow } from '../flows/flow-actions';
import { filterFlows, tagCounts, type FlowFilter } from '../flows/flow-filter';
import { FlowListToolbar } from '../flows/FlowListToolbar';
import { FlowRow, type FlowRowActions } from '../flows/FlowRow';
import { ImportFailureNote, ImportFlow, type ImportFailure } from '../flows/ImportFlow';
import { NewFlowDialog } from '../flows/NewFlowDialog';
import { EmptyState, Page, PageHeader } from '../ui/Page';

const NO_SLUGS: readonly string[] = [];

/**
 * The flows a person has, most recently changed first: search them, filter by tags, sort; open
 * one on the canvas, create one (blank or from an example), rename, duplicate, delete, import a
 * file or export one. Each change refreshes the list and says what happened in the status line;
 * a failure is said beside the control that caused it.
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
  const [importFailure, setImportFailure] = useState<ImportFailure | undefined>();
  const [filter, setFilter] = useState<FlowFilter>({ query: '', tags: [], sort: 'updated' });

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
  const shown = useMemo(() => (flows ? filterFlows(flows, filter) : undefined), [flows, filter]);
  const tags = useMemo(() => tagCounts(flows ?? []), [flows]);
  const filtering = filter.query.trim() !== '' || filter.tags.length > 0;
  const toggleTag = (tag: string) => setFilter((f) => ({ ...f, tags: f.tags.includes(tag) ? f.tags.filter((t) => t !== tag) : [...f.tags, tag] }));

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
    onTag: (tag) => setFilter((f) => (f.tags.includes(tag) ? f : { ...f, tags: [...f.tags, tag] })),
  };

  const confirmDelete = async (flow: FlowSummary) => {
    await api.deleteFlow(flow.id);
    setDeleting(undefined);
    setStatus(`Deleted “${flow.name}”.`);
    await reload();
  };

  return (
    <Page label="Flows">
      <PageHeader
        title="Flows"
        description="Workflows and agents you build on the canvas, run, and publish as endpoints."
        actions={
          <>
            <ImportFlow
              takenIds={takenIds}
              store={(doc) => createUnderFreeId(api, doc, takenIds)}
              onFailure={setImportFailure}
              onImported={(message) => {
                setStatus(message);
                void reload();
              }}
            />
            <button type="button" className="btn-primary" onClick={() => setCreating(true)}>
              <Plus size={16} aria-hidden="true" />
              New flow
            </button>
          </>
        }
      />
      {importFailure && <ImportFailureNote failure={importFailure} onDismiss={() => setImportFailure(undefined)} />}
      {loadError && (
        <p role="alert" className="mb-4 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
          Could not load the flows: {loadError}
        </p>
      )}
      {publishedError && (
        <p role="alert" className="mb-4 rounded-lg border border-warning bg-warning-soft px-4 py-3 text-sm text-warning-fg">
          Could not tell which flows are published: {publishedError}
        </p>
      )}
      {flows && flows.length > 0 && <FlowListToolbar filter={filter} onChange={setFilter} tags={tags} onToggleTag={toggleTag} shown={shown?.length ?? 0} total={flows.length} />}
      <p role="status" className="m-0 mb-3 min-h-0 text-sm text-fg-muted empty:hidden">
        {status}
      </p>
      {!flows && !loadError && (
        <p aria-live="polite" className="text-fg-muted">
          Loading…
        </p>
      )}
      {flows?.length === 0 && (
        <EmptyState title="No flows yet">
          Create one (blank, or from an example), or import a flow file.
        </EmptyState>
      )}
      {flows && flows.length > 0 && shown?.length === 0 && (
        <EmptyState title="No flow matches">
          <p className="m-0">Nothing matches {filtering ? 'the search and tags' : 'this view'}.</p>
          <button type="button" className="btn-sm mt-3" onClick={() => setFilter((f) => ({ ...f, query: '', tags: [] }))}>
            Clear search and tags
          </button>
        </EmptyState>
      )}
      <ul aria-label="Your flows" className="m-0 flex list-none flex-col gap-2.5 p-0">
        {shown?.map((flow) => (
          <FlowRow key={flow.id} flow={flow} slugs={published.get(flow.id) ?? NO_SLUGS} busy={busyId === flow.id} error={rowErrors[flow.id]} actions={actions} />
        ))}
      </ul>
      {creating && <NewFlowDialog api={api} takenIds={takenIds} onCreated={onOpen} onClose={() => setCreating(false)} />}
      {deleting && <DeleteFlowDialog flow={deleting} slugs={published.get(deleting.id) ?? NO_SLUGS} onDelete={() => confirmDelete(deleting)} onClose={() => setDeleting(undefined)} />}
    </Page>
  );
}
