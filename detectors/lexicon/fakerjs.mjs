// Prints the given names and surnames of every locale of @faker-js/faker as
// JSON; build.py runs it with the unpacked package directory as argument.
const dir = process.argv[2];
const { allLocales } = await import(dir + '/dist/index.js');
const out = { given: new Set(), surname: new Set() };
function add(set, v) {
  if (!v) return;
  if (Array.isArray(v)) { v.forEach(x => typeof x === 'string' && set.add(x)); return; }
  if (typeof v === 'object') { for (const k of Object.keys(v)) add(set, v[k]); }
}
for (const loc of Object.values(allLocales)) {
  const p = loc.person;
  if (!p) continue;
  add(out.given, p.first_name);
  add(out.given, p.middle_name);
  add(out.surname, p.last_name);
}
console.log(JSON.stringify({ given: [...out.given], surname: [...out.surname] }));
