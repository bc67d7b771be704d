import type { ReactNode } from 'react';
import { actionById, formatShortcut } from '../state/actions';
import { IS_MAC, performAction } from './actionContext';
import { useActionState } from './useActionState';

/** A button for a registered action: its label and shortcut as the tooltip, enabled when the action is. */
export function ActionButton({ id, className, children }: { id: string; className?: string; children: ReactNode }) {
  const a = actionById(id);
  const enabled = a.enabled(useActionState());
  const title = a.shortcut ? `${a.label} (${formatShortcut(a.shortcut, IS_MAC)})` : a.label;
  return (
    <button type="button" className={className} title={title} disabled={!enabled} data-action={id} onClick={() => performAction(a)}>
      {children}
    </button>
  );
}
