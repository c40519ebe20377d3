package sqlitestore

import (
	"context"
	"strings"
)

// multiLevels is how many sizes a multi-row statement comes in: 1, 2, 4, ..., 64
// rows. A commit's rows go in chunks of these sizes, the largest first (95 rows are
// six executions: 64, 16, 8, 4, 2 and 1), so that each statement binds its values
// directly and SQLite runs one statement per chunk instead of one per row.
const multiLevels = 7

// multiStmt is the SQL of one statement over a list of rows, for each chunk size.
type multiStmt [multiLevels]string

// valuesList returns the VALUES rows of a multi-row statement: n rows of width
// placeholders each, "(?, ?), (?, ?)".
func valuesList(n, width int) string {
	row := "(" + strings.Repeat("?, ", width-1) + "?)"
	return strings.Repeat(row+", ", n-1) + row
}

// multi returns the statement's SQL for each chunk size; query gives it for n rows.
func multi(query func(n int) string) multiStmt {
	var m multiStmt
	for i := range m {
		m[i] = query(1 << i)
	}
	return m
}

// prepare prepares the statement of every chunk size on w.
func (m *multiStmt) prepare(ctx context.Context, w *wconn) error {
	for _, q := range m {
		if _, err := w.stmt(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// exec runs the statement on w over the rows in args (width values each, flat), in
// chunks, and calls done with each chunk's first row, its row count and the rows it
// affected. It stops at the first error, of the statement or of done.
func (m *multiStmt) exec(ctx context.Context, w *wconn, args []any, width int, done func(first, n int, affected int64) error) error {
	rows := len(args) / width
	for first := 0; first < rows; {
		level := multiLevels - 1
		for 1<<level > rows-first {
			level--
		}
		n := 1 << level
		affected, err := w.exec(ctx, m[level], args[first*width:(first+n)*width]...)
		if err != nil {
			return err
		}
		if err := done(first, n, affected); err != nil {
			return err
		}
		first += n
	}
	return nil
}
