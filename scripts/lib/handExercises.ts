/** Hand-written exercises for the Chinook and Northwind samples: a question and a correct query (its level is derived). */
export interface HandExercise {
  id: string;
  db: 'chinook' | 'northwind';
  question: string;
  query: string;
}

export const HAND_EXERCISES: HandExercise[] = [
  // Chinook: one table
  { id: 'chinook-01', db: 'chinook', question: 'Which tracks are longer than 15 minutes (900,000 milliseconds)? Give their names.', query: 'SELECT Name FROM Track WHERE Milliseconds > 900000' },
  { id: 'chinook-02', db: 'chinook', question: 'How many customers live in Brazil?', query: "SELECT count(*) FROM Customer WHERE Country = 'Brazil'" },
  { id: 'chinook-03', db: 'chinook', question: 'List the first and last names of the employees whose title is Sales Support Agent, sorted by last name.', query: "SELECT FirstName, LastName FROM Employee WHERE Title = 'Sales Support Agent' ORDER BY LastName" },
  { id: 'chinook-04', db: 'chinook', question: 'What is the average total of the invoices billed to Germany?', query: "SELECT avg(Total) FROM Invoice WHERE BillingCountry = 'Germany'" },
  { id: 'chinook-05', db: 'chinook', question: 'In which cities of Canada do customers live? List each city once.', query: "SELECT DISTINCT City FROM Customer WHERE Country = 'Canada'" },
  // Chinook: joins
  { id: 'chinook-06', db: 'chinook', question: "List the titles of the albums by the artist 'Iron Maiden'.", query: "SELECT Album.Title FROM Album JOIN Artist ON Album.ArtistId = Artist.ArtistId WHERE Artist.Name = 'Iron Maiden'" },
  { id: 'chinook-07', db: 'chinook', question: "Give the names of the tracks on the playlist 'Grunge'.", query: "SELECT t.Name FROM Playlist p JOIN PlaylistTrack pt ON p.PlaylistId = pt.PlaylistId JOIN Track t ON pt.TrackId = t.TrackId WHERE p.Name = 'Grunge'" },
  { id: 'chinook-08', db: 'chinook', question: "Give the date and total of every invoice of the customer whose email is 'luisg@embraer.com.br'.", query: "SELECT i.InvoiceDate, i.Total FROM Invoice i JOIN Customer c ON i.CustomerId = c.CustomerId WHERE c.Email = 'luisg@embraer.com.br'" },
  { id: 'chinook-09', db: 'chinook', question: 'Which customers (first and last name) have Jane Peacock as their support representative?', query: "SELECT c.FirstName, c.LastName FROM Customer c JOIN Employee e ON c.SupportRepId = e.EmployeeId WHERE e.FirstName = 'Jane' AND e.LastName = 'Peacock'" },
  { id: 'chinook-10', db: 'chinook', question: "How many tracks are stored as 'Protected AAC audio file'?", query: "SELECT count(*) FROM Track t JOIN MediaType m ON t.MediaTypeId = m.MediaTypeId WHERE m.Name = 'Protected AAC audio file'" },
  // Chinook: grouping
  { id: 'chinook-11', db: 'chinook', question: 'How many tracks does each genre have? Give the genre name and the number of tracks.', query: 'SELECT g.Name, count(*) FROM Track t JOIN Genre g ON t.GenreId = g.GenreId GROUP BY g.Name' },
  { id: 'chinook-12', db: 'chinook', question: 'Which billing countries have invoices totalling more than 100? Give the country and its total.', query: 'SELECT BillingCountry, sum(Total) FROM Invoice GROUP BY BillingCountry HAVING sum(Total) > 100' },
  { id: 'chinook-13', db: 'chinook', question: 'Which artists have more than 10 albums? Give the artist name and the number of albums.', query: 'SELECT ar.Name, count(*) FROM Album al JOIN Artist ar ON al.ArtistId = ar.ArtistId GROUP BY ar.ArtistId, ar.Name HAVING count(*) > 10' },
  { id: 'chinook-14', db: 'chinook', question: 'How many invoices does each customer have? Give the first name, last name and number of invoices.', query: 'SELECT c.FirstName, c.LastName, count(*) FROM Customer c JOIN Invoice i ON c.CustomerId = i.CustomerId GROUP BY c.CustomerId, c.FirstName, c.LastName' },
  { id: 'chinook-15', db: 'chinook', question: 'What is the average track length in milliseconds of each media type? Give the media type name and the average.', query: 'SELECT m.Name, avg(t.Milliseconds) FROM Track t JOIN MediaType m ON t.MediaTypeId = m.MediaTypeId GROUP BY m.Name' },
  // Chinook: nesting and set operations
  { id: 'chinook-16', db: 'chinook', question: 'Which tracks of the genre with id 1 are longer than the average track of all genres? Give their names.', query: 'SELECT Name FROM Track WHERE GenreId = 1 AND Milliseconds > (SELECT avg(Milliseconds) FROM Track)' },
  { id: 'chinook-17', db: 'chinook', question: 'Which artists have no album? Give their names.', query: 'SELECT Name FROM Artist WHERE ArtistId NOT IN (SELECT ArtistId FROM Album)' },
  { id: 'chinook-18', db: 'chinook', question: 'Which countries have both customers and employees?', query: 'SELECT Country FROM Customer INTERSECT SELECT Country FROM Employee' },
  { id: 'chinook-19', db: 'chinook', question: 'Which genres have never been bought? Give the genre names.', query: 'SELECT Name FROM Genre WHERE GenreId NOT IN (SELECT t.GenreId FROM InvoiceLine il JOIN Track t ON il.TrackId = t.TrackId)' },
  { id: 'chinook-20', db: 'chinook', question: 'What is the largest number of tracks on a single album?', query: 'SELECT max(n) FROM (SELECT AlbumId, count(*) AS n FROM Track GROUP BY AlbumId)' },
  // Northwind: one table
  { id: 'northwind-01', db: 'northwind', question: 'Which products cost more than 50? Give their names and unit prices, most expensive first.', query: 'SELECT ProductName, UnitPrice FROM Products WHERE UnitPrice > 50 ORDER BY UnitPrice DESC' },
  { id: 'northwind-02', db: 'northwind', question: 'How many customers are in Germany?', query: "SELECT count(*) FROM Customers WHERE Country = 'Germany'" },
  { id: 'northwind-03', db: 'northwind', question: 'Which products are discontinued? Give their names.', query: 'SELECT ProductName FROM Products WHERE Discontinued = 1' },
  { id: 'northwind-04', db: 'northwind', question: 'List the company names of the suppliers in Japan.', query: "SELECT CompanyName FROM Suppliers WHERE Country = 'Japan'" },
  { id: 'northwind-05', db: 'northwind', question: 'What is the total freight of all orders shipped to France?', query: "SELECT sum(Freight) FROM Orders WHERE ShipCountry = 'France'" },
  // Northwind: joins
  { id: 'northwind-06', db: 'northwind', question: "List the names of the products in the category 'Seafood'.", query: "SELECT p.ProductName FROM Products p JOIN Categories c ON p.CategoryID = c.CategoryID WHERE c.CategoryName = 'Seafood'" },
  { id: 'northwind-07', db: 'northwind', question: "Which products does the supplier 'Exotic Liquids' supply? Give their names.", query: "SELECT p.ProductName FROM Products p JOIN Suppliers s ON p.SupplierID = s.SupplierID WHERE s.CompanyName = 'Exotic Liquids'" },
  { id: 'northwind-08', db: 'northwind', question: "Give the ids and dates of the orders placed by the customer 'Around the Horn'.", query: "SELECT o.OrderID, o.OrderDate FROM Orders o JOIN Customers c ON o.CustomerID = c.CustomerID WHERE c.CompanyName = 'Around the Horn'" },
  { id: 'northwind-09', db: 'northwind', question: 'Which products were ordered in order 10248? Give the product names and quantities.', query: 'SELECT p.ProductName, d.Quantity FROM "Order Details" d JOIN Products p ON d.ProductID = p.ProductID WHERE d.OrderID = 10248' },
  { id: 'northwind-10', db: 'northwind', question: "How many orders were shipped by 'Speedy Express'?", query: "SELECT count(*) FROM Orders o JOIN Shippers s ON o.ShipVia = s.ShipperID WHERE s.CompanyName = 'Speedy Express'" },
  // Northwind: grouping
  { id: 'northwind-11', db: 'northwind', question: 'How many products are in each category? Give the category name and the number of products.', query: 'SELECT c.CategoryName, count(*) FROM Products p JOIN Categories c ON p.CategoryID = c.CategoryID GROUP BY c.CategoryName' },
  { id: 'northwind-12', db: 'northwind', question: 'Which employees handled more than 100 orders? Give their last names and the number of orders.', query: 'SELECT e.LastName, count(*) FROM Orders o JOIN Employees e ON o.EmployeeID = e.EmployeeID GROUP BY e.EmployeeID, e.LastName HAVING count(*) > 100' },
  { id: 'northwind-13', db: 'northwind', question: 'To which countries were more than 50 orders shipped? Give the country and the number of orders.', query: 'SELECT ShipCountry, count(*) FROM Orders GROUP BY ShipCountry HAVING count(*) > 50' },
  { id: 'northwind-14', db: 'northwind', question: 'What is the average unit price of the products of the suppliers in each country? Give the country and the average.', query: 'SELECT s.Country, avg(p.UnitPrice) FROM Products p JOIN Suppliers s ON p.SupplierID = s.SupplierID GROUP BY s.Country' },
  { id: 'northwind-15', db: 'northwind', question: "What is the total quantity ordered of each product in the category 'Beverages'? Give the product name and the quantity.", query: "SELECT p.ProductName, sum(d.Quantity) FROM \"Order Details\" d JOIN Products p ON d.ProductID = p.ProductID JOIN Categories c ON p.CategoryID = c.CategoryID WHERE c.CategoryName = 'Beverages' GROUP BY p.ProductID, p.ProductName" },
  // Northwind: nesting and set operations
  { id: 'northwind-16', db: 'northwind', question: 'Which products cost more than the average product? Give their names.', query: 'SELECT ProductName FROM Products WHERE UnitPrice > (SELECT avg(UnitPrice) FROM Products)' },
  { id: 'northwind-17', db: 'northwind', question: 'Which customers have never placed an order? Give their company names.', query: 'SELECT CompanyName FROM Customers WHERE CustomerID NOT IN (SELECT CustomerID FROM Orders)' },
  { id: 'northwind-18', db: 'northwind', question: 'Which cities have both customers and suppliers?', query: 'SELECT City FROM Customers INTERSECT SELECT City FROM Suppliers' },
  { id: 'northwind-19', db: 'northwind', question: 'Which countries have suppliers but no customers?', query: 'SELECT Country FROM Suppliers EXCEPT SELECT Country FROM Customers' },
  { id: 'northwind-20', db: 'northwind', question: 'What is the name of the category with the most products?', query: 'SELECT CategoryName FROM Categories WHERE CategoryID = (SELECT CategoryID FROM Products GROUP BY CategoryID ORDER BY count(*) DESC LIMIT 1)' },
];
