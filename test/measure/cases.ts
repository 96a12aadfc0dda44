/** Flag values and what the option parsers must make of them (number, or "error"). */
export const parseOptionsCases: [string, string, number | "error"][] = [
  ["--reps", "5", 5],
  ["--reps", "0", "error"],
  ["--reps", "abc", "error"],
  ["--reps", "2.5", "error"],
  ["--duration", "2.5", 2.5],
  ["--duration", "-1", "error"],
  ["--duration", "soon", "error"],
  ["--duration", "500", "error"],
];
