import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { Page, PageHeader } from '../ui/Page';

/** Inbox (being built in this session's branch). */
export function InboxPage(props: { api: ApiClient; go: (route: Route) => void }) {
  void props;
  return (
    <Page>
      <PageHeader title="Inbox" />
    </Page>
  );
}
