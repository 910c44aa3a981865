import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { Page, PageHeader } from '../ui/Page';

/** Settings (being built in this session's branch). */
export function SettingsPage(props: { api: ApiClient; go: (route: Route) => void }) {
  void props;
  return (
    <Page>
      <PageHeader title="Settings" />
    </Page>
  );
}
