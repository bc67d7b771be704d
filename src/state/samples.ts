/** Databases bundled under public/samples (see public/samples/ATTRIBUTION.md). */
export interface Sample {
  id: string;
  file: string;
  title: string;
  query: string;
}

export const SAMPLES: Sample[] = [
  {
    id: 'chinook',
    file: 'chinook.sqlite',
    title: 'Chinook (music store)',
    query:
      'SELECT g.Name AS genre, count(*) AS tracks FROM Track t JOIN Genre g ON t.GenreId = g.GenreId WHERE t.Milliseconds > (SELECT avg(Milliseconds) FROM Track) GROUP BY g.Name HAVING count(*) > 10 ORDER BY tracks DESC LIMIT 5',
  },
  {
    id: 'northwind',
    file: 'northwind.sqlite',
    title: 'Northwind (trading company)',
    query:
      'SELECT c.CategoryName, round(sum(d.UnitPrice * d.Quantity), 2) AS revenue FROM "Order Details" d JOIN Products p ON d.ProductID = p.ProductID JOIN Categories c ON p.CategoryID = c.CategoryID GROUP BY c.CategoryName ORDER BY revenue DESC',
  },
  {
    id: 'concert_singer',
    file: 'concert_singer.sqlite',
    title: 'Spider: concert_singer',
    query: 'SELECT name, country FROM singer WHERE age > (SELECT avg(age) FROM singer) ORDER BY name',
  },
  {
    id: 'pets_1',
    file: 'pets_1.sqlite',
    title: 'Spider: pets_1',
    query: 'SELECT T1.fname, count(*) FROM student AS T1 JOIN has_pet AS T2 ON T1.stuid = T2.stuid GROUP BY T1.stuid HAVING count(*) > 1',
  },
  {
    id: 'world_1',
    file: 'world_1.sqlite',
    title: 'Spider: world_1',
    query: 'SELECT Name FROM country WHERE Continent = "Europe" EXCEPT SELECT T1.Name FROM country AS T1 JOIN countrylanguage AS T2 ON T1.Code = T2.CountryCode WHERE T2.Language = "English" ORDER BY Name LIMIT 10',
  },
];
