/**
 * The view slice: the colour theme (the user's choice, or the OS's when the choice is `system`; kept in
 * localStorage) and whether the command palette is open. `theme` is the one place the studio reads the theme from:
 * the page's colours (`data-theme` on <html>) and Monaco's theme follow it.
 */
import { create } from 'zustand';

export type ThemePref = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const KEY = 'cocte.theme';

export interface UiState {
  themePref: ThemePref;
  /** The OS asks for dark colours (prefers-color-scheme). */
  systemDark: boolean;
  paletteOpen: boolean;
  setThemePref(p: ThemePref): void;
  setSystemDark(dark: boolean): void;
  setPaletteOpen(open: boolean): void;
}

export function resolveTheme(pref: ThemePref, systemDark: boolean): Theme {
  return pref === 'system' ? (systemDark ? 'dark' : 'light') : pref;
}

export function parseThemePref(v: string | null | undefined): ThemePref {
  return v === 'light' || v === 'dark' ? v : 'system';
}

function stored(): ThemePref {
  try {
    return parseThemePref(globalThis.localStorage?.getItem(KEY));
  } catch {
    return 'system';
  }
}

export const useUi = create<UiState>()((set) => ({
  themePref: stored(),
  systemDark: typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches,
  paletteOpen: false,
  setThemePref(themePref) {
    try {
      if (themePref === 'system') globalThis.localStorage?.removeItem(KEY);
      else globalThis.localStorage?.setItem(KEY, themePref);
    } catch {
      // Storage may be off (private mode): the choice then lasts for this page.
    }
    set({ themePref });
  },
  setSystemDark(systemDark) {
    set({ systemDark });
  },
  setPaletteOpen(paletteOpen) {
    set({ paletteOpen });
  },
}));

/** The theme the page shows now. */
export function currentTheme(s: Pick<UiState, 'themePref' | 'systemDark'>): Theme {
  return resolveTheme(s.themePref, s.systemDark);
}
