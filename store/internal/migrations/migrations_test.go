package migrations

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestRead(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_events.sql": {Data: []byte("B")},
		"m/0001_init.sql":   {Data: []byte("A")},
	}
	ms, err := Read(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].SQL != "A" || ms[1].Version != 2 || ms[1].SQL != "B" {
		t.Errorf("Read = %+v, want versions 1 (A) and 2 (B)", ms)
	}
	for name, want := range map[string]string{"m/init.sql": "want NNNN_name.sql", "m/0001_x.txt": "want NNNN_name.sql"} {
		if _, err := Read(fstest.MapFS{name: {}}, "m"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Read(%s) = %v, want %q", name, err, want)
		}
	}
	if _, err := Read(fstest.MapFS{"m/0001_a.sql": {}, "m/0001_b.sql": {}}, "m"); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("two files with one version: %v", err)
	}
}
