import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { Page, PageHeader } from '../ui/Page';

/** Run (being built in this session's branch). */
export function RunPage(props: { api: ApiClient; id: string; go: (route: Route) => void }) {
  void props;
  return (
    <Page>
      <PageHeader title="Run" />
    </Page>
  );
}
