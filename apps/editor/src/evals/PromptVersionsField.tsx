import { useEffect, useId, useState } from 'react';
import { promptReferences } from '@trellis/nodes';
import type { PromptVersionSummary } from '@trellis/schema';
import type { ApiClient } from '../api';

/**
 * The library prompts the chosen flow version uses, each at the version the flow pins or at
 * another one this experiment runs it with: how two prompt versions are compared on one dataset.
 */
export function PromptVersionsField({ api, flowId, version, value, onValue }: { api: ApiClient; flowId: string; version: number | undefined; value: Record<string, number>; onValue: (value: Record<string, number>) => void }) {
  const uid = useId();
  const [used, setUsed] = useState<{ name: string; pinned: string; versions: PromptVersionSummary[] }[]>([]);
  useEffect(() => {
    setUsed([]);
    onValue({});
    if (!flowId) return;
    let live = true;
    void (async () => {
      try {
        const document = version === undefined ? (await api.getFlow(flowId)).document : (await api.getVersion(flowId, version)).document;
        const refs = promptReferences(document);
        const names = [...new Set(refs.map((r) => r.name))];
        const found = await Promise.all(
          names.map(async (name) => ({
            name,
            pinned: refs.filter((r) => r.name === name).map((r) => r.ref).join(', '),
            versions: await api.listPromptVersions(name).catch(() => []),
          })),
        );
        if (live) setUsed(found);
      } catch {
        // The flow could not be read: the experiment runs the prompts as the flow pins them.
      }
    })();
    return () => {
      live = false;
    };
    // A new flow or version resets the choices (onValue is the parent's state setter, stable).
  }, [api, flowId, version, onValue]);
  if (!used.length) return null;
  return (
    <fieldset className="evals-scorers">
      <legend>Library prompts</legend>
      <p className="evals-help m-0 mb-2">Run the flow with other versions of the prompts it uses, to compare prompt versions on the same rows.</p>
      <div className="grid gap-2 sm:grid-cols-2">
        {used.map(({ name, pinned, versions }) => (
          <div key={name} className="evals-field">
            <label htmlFor={`${uid}-${name}`}>{name}</label>
            <select
              id={`${uid}-${name}`}
              value={value[name] ?? ''}
              onChange={(e) => {
                const { [name]: _was, ...rest } = value;
                onValue(e.target.value ? { ...rest, [name]: Number(e.target.value) } : rest);
              }}
            >
              <option value="">As the flow pins it ({pinned})</option>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                  {v.note ? ` · ${v.note.slice(0, 40)}` : ''}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
