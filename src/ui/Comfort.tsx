import { Command } from 'cmdk';
import { useEffect } from 'react';
import { ACTIONS, actionForKey, formatShortcut, type ActionGroup } from '../state/actions';
import { currentTheme, useUi } from '../state/uiStore';
import { IS_MAC, performAction } from './actionContext';
import { useActionState } from './useActionState';
import './comfort.css';

const GROUPS: ActionGroup[] = ['Query', 'Model', 'Result', 'View'];

/**
 * The studio's comfort layer: applies the theme to the page (`data-theme` on <html>, following the OS while the
 * choice is `system`), turns key presses into registered actions, and shows the command palette.
 */
export function Comfort() {
  const theme = useUi(currentTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => useUi.getState().setSystemDark(mq.matches);
    onChange();
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  useEffect(() => {
    // Capture phase: a shortcut works wherever the focus is, Monaco included.
    const onKey = (e: KeyboardEvent) => {
      const a = actionForKey(e);
      if (!a) return;
      e.preventDefault();
      e.stopPropagation();
      if (a.id === 'palette') useUi.getState().setPaletteOpen(!useUi.getState().paletteOpen);
      else performAction(a);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  return <Palette />;
}

function Palette() {
  const open = useUi((u) => u.paletteOpen);
  const state = useActionState();
  const close = () => useUi.getState().setPaletteOpen(false);
  return (
    <Command.Dialog
      open={open}
      onOpenChange={(o) => useUi.getState().setPaletteOpen(o)}
      label="Command palette"
      overlayClassName="palette-overlay"
      contentClassName="palette"
    >
      <Command.Input placeholder="Type a command…" aria-label="Command" />
      <Command.List>
        <Command.Empty>No command matches.</Command.Empty>
        {GROUPS.map((g) => (
          <Command.Group key={g} heading={g}>
            {ACTIONS.filter((a) => a.group === g && a.id !== 'palette').map((a) => (
              <Command.Item
                key={a.id}
                value={a.label}
                keywords={a.keywords}
                disabled={!a.enabled(state)}
                data-action={a.id}
                onSelect={() => {
                  close();
                  // After the dialog gives the focus back, so that focusing actions (schema search) keep it.
                  setTimeout(() => performAction(a), 0);
                }}
              >
                <span>{a.label}</span>
                {a.shortcut && <kbd>{formatShortcut(a.shortcut, IS_MAC)}</kbd>}
              </Command.Item>
            ))}
          </Command.Group>
        ))}
      </Command.List>
    </Command.Dialog>
  );
}
