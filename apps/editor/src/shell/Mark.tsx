/** Trellis's mark: a lattice of three posts and two rails, on the primary colour. */
export function Mark({ size = 22 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" className="shrink-0">
      <rect width="16" height="16" rx="3.5" fill="var(--primary)" />
      <path d="M4 12V6m4 6V4m4 8V7M3 8.5h10M3 5.5h10" stroke="var(--primary-fg)" strokeWidth="1.3" strokeLinecap="round" />
    </svg>
  );
}
