package sqlitestore

import (
	"context"
	"database/sql"
	"strings"
)

// multiLevels is how many sizes a multi-row statement is prepared in: 1, 2, 4, ...,
// 64 rows. A commit's rows go in chunks of these sizes, the largest first (95 rows are
// six executions: 64, 16, 8, 4, 2 and 1), so that each statement binds its values
// directly and SQLite runs one statement per chunk instead of one per row.
const multiLevels = 7

// multiStmt is one statement over a list of rows, prepared once for each chunk size.
type multiStmt [multiLevels]*sql.Stmt

// valuesList returns the VALUES rows of a multi-row statement: n rows of width
// placeholders each, "(?, ?), (?, ?)".
func valuesList(n, width int) string {
	row := "(" + strings.Repeat("?, ", width-1) + "?)"
	return strings.Repeat(row+", ", n-1) + row
}

// prepareMulti prepares the statement for each chunk size; query gives its SQL for n
// rows.
func prepareMulti(ctx context.Context, db *sql.DB, query func(n int) string) (multiStmt, error) {
	var m multiStmt
	for i := range m {
		st, err := db.PrepareContext(ctx, query(1<<i))
		if err != nil {
			return m, err
		}
		m[i] = st
	}
	return m, nil
}

// exec runs the statement in tx over the rows in args (width values each, flat), in
// chunks, and calls done with each chunk's first row, its row count and the rows it
// affected. It stops at the first error, of the statement or of done.
func (m *multiStmt) exec(ctx context.Context, tx *sql.Tx, args []any, width int, done func(first, n int, affected int64) error) error {
	rows := len(args) / width
	for first := 0; first < rows; {
		level := multiLevels - 1
		for 1<<level > rows-first {
			level--
		}
		n := 1 << level
		res, err := tx.StmtContext(ctx, m[level]).ExecContext(ctx, args[first*width:(first+n)*width]...)
		if err != nil {
			return err
		}
		affected, err := res.RowsAffected()
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
