// 10,000 rows: x (number), y (number), category (one of 20), date
export function rows(n = 10000) {
  const out = [];
  let s = 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < n; i++) out.push({ x: i, y: Math.round(rnd() * 1000), c: 'cat' + (i % 20), d: new Date(Date.UTC(2020, 0, 1) + i * 3600e3) });
  return out;
}
