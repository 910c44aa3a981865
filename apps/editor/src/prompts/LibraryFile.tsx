import { Download, Upload } from 'lucide-react';
import { useRef, useState, type ChangeEvent } from 'react';
import type { ApiClient } from '../api';
import { downloadText } from '../flows/export-flow';
import { reportError, type ErrorReport } from '../publish/errors';
import { ErrorNote } from '../publish/ErrorNote';
import { describeExport, describeImport, LIBRARY_FILE_NAME, libraryText, readLibraryFile } from './library-file';

/** "Export library" (a download) and "Import library…" (a file from disk); each says what it did, or why not. */
export function LibraryFile({ api, onStatus, onImported }: { api: ApiClient; onStatus: (message: string) => void; onImported: () => void }) {
  const [busy, setBusy] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const [exportError, setExportError] = useState<ErrorReport | undefined>();
  const [importError, setImportError] = useState<ErrorReport | undefined>();

  const exportLibrary = async () => {
    setBusy(true);
    setExportError(undefined);
    try {
      const file = await api.exportPrompts();
      downloadText(LIBRARY_FILE_NAME, libraryText(file));
      onStatus(`Exported the library (${describeExport(file)}) as ${LIBRARY_FILE_NAME}.`);
    } catch (e) {
      setExportError(reportError('Could not export the library', e));
    } finally {
      setBusy(false);
    }
  };

  const importLibrary = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget; // React clears currentTarget once the handler returns
    const picked = input.files?.[0];
    if (!picked) return;
    setBusy(true);
    setImportError(undefined);
    try {
      const read = readLibraryFile(await picked.text());
      if (!read.ok) return setImportError({ message: `Could not import “${picked.name}”: ${read.error}.`, problems: [] });
      const result = await api.importPrompts(read.file);
      onStatus(`Imported “${picked.name}”: ${describeImport(result)}.`);
      onImported();
    } catch (e) {
      setImportError(reportError(`Could not import “${picked.name}”`, e));
    } finally {
      setBusy(false);
      input.value = ''; // so the same file can be picked again
    }
  };

  return (
    <>
      <button type="button" onClick={() => void exportLibrary()} disabled={busy}>
        <Download size={15} aria-hidden="true" />
        Export library
      </button>
      <button type="button" onClick={() => picker.current?.click()} disabled={busy}>
        <Upload size={15} aria-hidden="true" />
        Import library
      </button>
      {/* The chooser behind "Import library": a bare file input does not look like the product. */}
      <input ref={picker} type="file" className="sr-only" tabIndex={-1} accept=".json,application/json" aria-label="Import prompt library file" onChange={(e) => void importLibrary(e)} disabled={busy} />
      {(exportError ?? importError) && (
        <div className="basis-full">
          <ErrorNote report={exportError} />
          <ErrorNote report={importError} />
        </div>
      )}
    </>
  );
}
