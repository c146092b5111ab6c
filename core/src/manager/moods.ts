/**
 * Flumotion's moods, for components and flows. A flow's mood is its worst component's; the order
 * below is "worst first" (a lost worker says nothing about its components any more).
 */
export const MOODS = ['lost', 'sad', 'hungry', 'waking', 'happy', 'sleeping'] as const;
export type Mood = (typeof MOODS)[number];

const RANK = new Map<Mood, number>(MOODS.map((mood, i) => [mood, i]));

/** The worst of some moods; `sleeping` when there are none (nothing is running). */
export function worstMood(moods: Iterable<Mood>): Mood {
  let worst: Mood = 'sleeping';
  for (const mood of moods) if (RANK.get(mood)! < RANK.get(worst)!) worst = mood;
  return worst;
}

/** A mood and why, as reported and logged. */
export interface MoodState {
  readonly mood: Mood;
  readonly reason: string;
}
