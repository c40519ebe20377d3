package main

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/csvin"
)

// loaded is the input of a command: every customer's activity, sorted by ID.
type loaded struct {
	customers []*vip.Activity
	orders    []vip.Order
	first     time.Time // the earliest order
	last      time.Time // the latest order
}

// load reads the orders (and refunds) files named by the flags, reporting skipped bad
// rows on stderr.
func load(in *input, e *env) (*loaded, error) {
	var orders []vip.Order
	err := readFile(in.orders, in, e, func(r io.Reader, o csvin.Options) (csvin.Result, error) {
		var res csvin.Result
		var err error
		orders, res, err = csvin.ReadOrders(r, o)
		return res, err
	})
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return nil, fmt.Errorf("%s: no orders", in.orders)
	}
	var refunds []vip.Refund
	if in.refunds != "" {
		err := readFile(in.refunds, in, e, func(r io.Reader, o csvin.Options) (csvin.Result, error) {
			var res csvin.Result
			var err error
			refunds, res, err = csvin.ReadRefunds(r, orders, o)
			return res, err
		})
		if err != nil {
			return nil, err
		}
	}
	acts, err := csvin.Activities(orders, refunds)
	if err != nil {
		return nil, err
	}
	l := &loaded{customers: acts, orders: orders, first: orders[0].PlacedAt, last: orders[0].PlacedAt}
	for _, o := range orders {
		if o.PlacedAt.Before(l.first) {
			l.first = o.PlacedAt
		}
		if o.PlacedAt.After(l.last) {
			l.last = o.PlacedAt
		}
	}
	return l, nil
}

// readFile opens name and reads it with read, drawing a progress bar on stderr when
// stderr is a terminal or --progress asks for one.
func readFile(name string, in *input, e *env, read func(io.Reader, csvin.Options) (csvin.Result, error)) error {
	r, size, done, err := open(name, e)
	if err != nil {
		return err
	}
	defer done()
	label := filepath.Base(name)
	if name == "-" {
		label = "stdin"
	}
	opts := in.options(name)
	if name == "-" {
		opts.Name = "stdin"
	}
	var bar *progressBar
	if in.progress || e.tty {
		bar = &progressBar{w: e.stderr, label: label, total: size, every: 100 * time.Millisecond, now: time.Now}
		opts.Progress = bar.update
	}
	res, err := read(r, opts)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return err
	}
	if res.Skipped > 0 {
		fmt.Fprintf(e.stderr, "vip: %s: skipped %d bad rows of %d; the first:\n", opts.Name, res.Skipped, res.Rows)
		for _, err := range res.Errors {
			fmt.Fprintf(e.stderr, "  %v\n", err)
		}
	}
	return nil
}
