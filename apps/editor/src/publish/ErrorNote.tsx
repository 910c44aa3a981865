import type { ErrorReport } from './errors';

/** A runner error where the person acted: the message, then each problem the runner listed. */
export function ErrorNote({ report }: { report: ErrorReport | undefined }) {
  if (!report) return null;
  return (
    <div role="alert" className="publish-error">
      <p>{report.message}</p>
      {report.problems.length > 0 && (
        <ul>
          {report.problems.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
