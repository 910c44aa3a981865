import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { Page, PageHeader } from '../ui/Page';

/** API keys (being built in this session's branch). */
export function KeysPage(props: { api: ApiClient; go: (route: Route) => void }) {
  void props;
  return (
    <Page>
      <PageHeader title="API keys" />
    </Page>
  );
}
