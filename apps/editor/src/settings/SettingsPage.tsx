import { useState } from 'react';
import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { Page, PageHeader } from '../ui/Page';
import { AppearanceSection } from './AppearanceSection';
import { CredentialsSection } from './CredentialsSection';
import { ProvidersSection } from './ProvidersSection';

/** Settings: the theme, the model providers and their keys, and the named secrets HTTP tools send. */
export function SettingsPage({ api }: { api: ApiClient; go: (route: Route) => void }) {
  // A provider key stored above is a credential too: the list below shows it at once.
  const [stored, setStored] = useState(0);
  return (
    <Page label="Settings">
      <PageHeader title="Settings" description="How the editor looks, and the keys and secrets the runner uses. Secrets are write-only: nothing here shows one back." />
      <div className="flex flex-col gap-5">
        <AppearanceSection />
        <ProvidersSection api={api} onStored={() => setStored((n) => n + 1)} />
        <CredentialsSection api={api} reloadKey={stored} />
      </div>
    </Page>
  );
}
