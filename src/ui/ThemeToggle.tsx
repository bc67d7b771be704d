import { actionById, formatShortcut } from '../state/actions';
import { currentTheme, useUi } from '../state/uiStore';
import { IS_MAC, performAction } from './actionContext';

/** The dark-mode switch (the `theme.toggle` action); the command palette's shortcut beside it. */
export function ThemeToggle() {
  const dark = useUi(currentTheme) === 'dark';
  const following = useUi((u) => u.themePref === 'system');
  const palette = actionById('palette');
  return (
    <span className="comfort-buttons">
      <button
        type="button"
        role="switch"
        aria-checked={dark}
        aria-label="Dark mode"
        data-testid="theme-toggle"
        title={following ? 'Dark mode (now following the system)' : 'Dark mode'}
        onClick={() => performAction(actionById('theme.toggle'))}
      >
        {dark ? '☾ Dark' : '☀ Light'}
      </button>
      <button type="button" title={`${palette.label} (${formatShortcut(palette.shortcut!, IS_MAC)})`} onClick={() => performAction(palette)}>
        Commands
      </button>
    </span>
  );
}
