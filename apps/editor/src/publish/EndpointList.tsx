import type { Published } from '@trellis/schema';
import { ConfirmButton } from './ConfirmButton';
import { docsUrl } from './curl';

interface Props {
  /** This flow's endpoints. */
  endpoints: Published[];
  base: string;
  onUnpublish: (slug: string) => Promise<void>;
}

/** Where this flow is served: slug, version, docs, and a way to stop serving it. */
export function EndpointList({ endpoints, base, onUnpublish }: Props) {
  if (endpoints.length === 0) return <p className="note">Not published yet.</p>;
  return (
    <ul className="publish-endpoints" aria-label="Published endpoints">
      {endpoints.map((e) => (
        <li key={e.slug}>
          <div>
            <code>POST {e.url}</code> serves version {e.version}
            {e.cors?.origins.length ? <span className="note"> · browsers from {e.cors.origins.join(', ')}</span> : null}
          </div>
          <a href={docsUrl(base, e.slug)} target="_blank" rel="noreferrer" aria-label={`Docs for ${e.slug}`}>
            Docs
          </a>
          <ConfirmButton
            label={`Unpublish ${e.slug}`}
            question={`Stop serving ${e.url}? Callers will get 404 until it is published again.`}
            confirmLabel={`Yes, unpublish ${e.slug}`}
            failure={`Could not unpublish ${e.slug}`}
            onConfirm={() => onUnpublish(e.slug)}
          />
        </li>
      ))}
    </ul>
  );
}
