package sqlitestore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

// wconn is the write connection as the driver has it (database/sql's Conn.Raw): a
// commit's statements go to the driver directly, each prepared once per connection,
// their arguments in one slice reused from execution to execution. Through
// database/sql every execution of a prepared statement in a transaction made a
// statement for the transaction, converted every argument and copied the arguments
// into a new slice: with about 110 executions and 1,750 values a commit, that was 12%
// of an ingest's allocations and 2.5% of its instructions (callgrind).
//
// A wconn is used only while its connection is held (Store.withConn), so by one
// goroutine at a time.
type wconn struct {
	conn  driver.Conn
	stmts map[string]driver.Stmt // by SQL
	nv    []driver.NamedValue
	sc    scratch
}

// scratch is a commit's working slices and maps (see apply), kept from commit to
// commit on the connection instead of allocated anew for each: about 5% of an
// ingest's bytes.
type scratch struct {
	args, insArgs []any
	fps, bodies   [][]byte
	buf           []byte // the status and event bodies, one after another
	ins           []int
	touched       []string
	named         map[string]bool
	seen          map[[2]string]bool
}

// release empties the scratch space, keeping its room but none of its references.
func (sc *scratch) release() {
	for _, s := range [][]any{sc.args, sc.insArgs} {
		clear(s[:cap(s)])
	}
	for _, b := range [][][]byte{sc.fps, sc.bodies} {
		clear(b[:cap(b)])
	}
	clear(sc.touched[:cap(sc.touched)])
	sc.args, sc.insArgs, sc.fps, sc.bodies, sc.ins, sc.touched = sc.args[:0], sc.insArgs[:0], sc.fps[:0], sc.bodies[:0], sc.ins[:0], sc.touched[:0]
	if sc.named == nil {
		sc.named, sc.seen = map[string]bool{}, map[[2]string]bool{}
	}
	clear(sc.named)
	clear(sc.seen)
}

// withConn calls fn with the write connection's wconn, holding the connection, and
// returns fn's error as it is.
func (s *Store) withConn(ctx context.Context, fn func(w *wconn) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return wrap("write connection", err)
	}
	defer conn.Close()
	var ferr error
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("driver connection %T", dc)
		}
		// The pool keeps one connection; a new one (the old one broke) prepares its
		// statements anew. The old one's statements went with it.
		if s.wc == nil || s.wc.conn != c {
			s.wc = &wconn{conn: c, stmts: map[string]driver.Stmt{}}
		}
		ferr = fn(s.wc)
		return ferr
	})
	if ferr != nil {
		return ferr
	}
	return wrap("write connection", err)
}

// close closes the statements prepared on the connection.
func (w *wconn) close() error {
	var errs []error
	for q, st := range w.stmts {
		errs = append(errs, st.Close())
		delete(w.stmts, q)
	}
	return errors.Join(errs...)
}

// begin starts a transaction: BEGIN IMMEDIATE, as the DSN's _txlock says.
func (w *wconn) begin(ctx context.Context) (driver.Tx, error) {
	if b, ok := w.conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, driver.TxOptions{})
	}
	return nil, errors.New("driver connection cannot begin a transaction with a context")
}

// stmt returns query prepared on the connection.
func (w *wconn) stmt(ctx context.Context, query string) (driver.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	var st driver.Stmt
	var err error
	if p, ok := w.conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = w.conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

// args sets w.nv to args, numbered from 1. Each must be a driver.Value: string,
// []byte, int64, or nil; the driver rejects anything else.
func (w *wconn) args(args []any) []driver.NamedValue {
	clear(w.nv)
	w.nv = w.nv[:0]
	for i, a := range args {
		w.nv = append(w.nv, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	return w.nv
}

// exec runs query with args and returns the number of rows it changed.
func (w *wconn) exec(ctx context.Context, query string, args ...any) (int64, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return 0, err
	}
	ex, ok := st.(driver.StmtExecContext)
	if !ok {
		return 0, errors.New("driver statement cannot execute with a context")
	}
	res, err := ex.ExecContext(ctx, w.args(args))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// queryRow runs query with args and stores the first row's columns in dest: *int64,
// *[]byte or *string each (NULL leaves the zero value). It reports whether there was
// a row.
func (w *wconn) queryRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return false, err
	}
	q, ok := st.(driver.StmtQueryContext)
	if !ok {
		return false, errors.New("driver statement cannot query with a context")
	}
	rows, err := q.QueryContext(ctx, w.args(args))
	if err != nil {
		return false, err
	}
	defer rows.Close()
	vals := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(vals); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	if len(vals) != len(dest) {
		return false, fmt.Errorf("%d columns, %d destinations", len(vals), len(dest))
	}
	for i, v := range vals {
		if err := assign(dest[i], v); err != nil {
			return false, fmt.Errorf("column %d: %w", i, err)
		}
	}
	return true, nil
}

// assign stores the driver's value v in dest.
func assign(dest any, v driver.Value) error {
	if v == nil {
		return nil
	}
	switch d := dest.(type) {
	case *int64:
		if x, ok := v.(int64); ok {
			*d = x
			return nil
		}
	case *[]byte:
		switch x := v.(type) {
		case []byte:
			*d = append([]byte(nil), x...)
			return nil
		case string:
			*d = []byte(x)
			return nil
		}
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
			return nil
		case []byte:
			*d = string(x)
			return nil
		}
	}
	return fmt.Errorf("cannot store %T in %T", v, dest)
}
