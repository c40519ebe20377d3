package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/vipkit/vip"
)

func runValidate(args []string, e *env) error {
	c := newFlags("validate", "vip validate [--catalogue catalogue.json] [ladder.json ...]",
		`Parse and validate ladder files (and a benefit catalogue), reporting every problem
at once. Prints "ok: <name>, N tiers" for a valid ladder and "ok: catalogue <file>, N
tiers" for a valid catalogue; with both, also checks that the catalogue names the
ladders' tiers. Exit status 1 when any file has a problem.`,
		`  vip validate testdata/brief-ladder.json
  vip validate --catalogue catalogue.json ladder.json`)
	var cats multi
	c.Var(&cats, "catalogue", "a benefit catalogue `file` to validate (may be repeated)")
	files, err := c.parse(args, e)
	if err != nil {
		return err
	}
	if len(files) == 0 && len(cats) == 0 {
		return usagef("validate: name at least one ladder file or --catalogue")
	}
	failed := 0
	report := func(name string, err error) {
		failed++
		fmt.Fprintf(e.stdout, "%s: %d problem(s):\n", name, len(problems(err)))
		for _, p := range problems(err) {
			fmt.Fprintf(e.stdout, "  %s\n", p)
		}
	}
	var ladders []vip.Ladder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		l, err := vip.ParseLadder(data)
		if err != nil {
			report(f, err)
			continue
		}
		ladders = append(ladders, l)
		fmt.Fprintf(e.stdout, "ok: %s, %d tiers\n", l.Name, len(l.Tiers))
	}
	for _, f := range cats {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		cat, err := vip.ParseCatalogue(data)
		if err != nil {
			report(f, err)
			continue
		}
		var errs []error
		for i := range ladders {
			if err := cat.CheckLadder(&ladders[i]); err != nil {
				errs = append(errs, fmt.Errorf("ladder %q: %w", ladders[i].Name, err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			report(f, err)
			continue
		}
		fmt.Fprintf(e.stdout, "ok: catalogue %s, %d tiers\n", f, len(cat.Tiers))
	}
	if failed > 0 {
		return fmt.Errorf("validate: %d of %d files have problems", failed, len(files)+len(cats))
	}
	return nil
}

// problems splits an error joined with errors.Join (at any depth) into its lines.
func problems(err error) []string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
