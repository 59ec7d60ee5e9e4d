import { memo } from 'react';
import { initials } from './collect';
import type { PresenceUser } from './collect';

/** Initials of the others who have an order open (at most `max`, then +n). */
export const Avatars = memo(function Avatars({
  users,
  testId,
  max = 3,
}: {
  users: PresenceUser[] | undefined;
  testId?: string;
  max?: number;
}) {
  if (!users || users.length === 0) return null;
  const shown = users.slice(0, max);
  return (
    <span className="avatars" data-testid={testId} data-count={users.length}>
      {shown.map((u) => (
        <span key={u.clientId} className="avatar" title={u.name} style={{ background: colourOf(u.userId) }}>
          {initials(u.name)}
        </span>
      ))}
      {users.length > max && <span className="avatar more">+{users.length - max}</span>}
    </span>
  );
});

const PALETTE = ['#3b6ea5', '#7a5aa6', '#2f8a6b', '#a66a2c', '#a63d5a', '#4b7f8c', '#6b7a2f'];

function colourOf(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
