import { formatTime, timeLeft } from './describe';

/** When a wait (an approval, a question) must be answered by, and what happens after. */
export function DeadlineNote({ deadline }: { deadline: string | undefined }) {
  if (!deadline) return null;
  return (
    <p className="note">
      Deadline: <time dateTime={deadline}>{formatTime(deadline)}</time> ({timeLeft(deadline)}); after it, the node's timeout rule decides.
    </p>
  );
}
