/** The bundled exercise set (built by `npm run exercises`, committed as exercises.json). */
import data from './exercises.json';
import type { Exercise } from './exercise';

export const EXERCISES: Exercise[] = data as Exercise[];

export function findExercise(id: string): Exercise | undefined {
  return EXERCISES.find((e) => e.id === id);
}
