package memstore_test

import (
	"testing"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/memstore"
	"github.com/vipkit/vip/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) vip.Store { return memstore.New() })
}
