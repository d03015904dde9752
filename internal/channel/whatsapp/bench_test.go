package whatsapp_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"kesher"
	"kesher/internal/channel/messaging"
	"kesher/internal/channel/whatsapp"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// BenchmarkWebhook measures ingestion through the HTTP webhook on SQLite
// (a file database, WAL, group commit): signed notifications of one text
// message each, posted by concurrent clients as Meta does, each answered
// 200 only after its commit. "new" has a new customer per message (a new
// customer, identities and conversation each time); "returning" spreads
// the messages over 100 customers, so most thread into an open
// conversation.
func BenchmarkWebhook(b *testing.B) {
	for _, tc := range []struct {
		name      string
		customers int64
	}{{"new", 0}, {"returning", 100}} {
		b.Run(tc.name, func(b *testing.B) {
			st := testkit.SQLite(b)
			d := desk.New(desk.Config{Store: st})
			acct, err := d.SaveChannelAccount(context.Background(), "", desk.ChannelAccountInput{Kind: kesher.ChannelWhatsApp,
				Name: "bench", PhoneNumberID: phoneNumberID, Token: accessToken, AppSecret: appSecret, VerifyToken: verifyToken})
			if err != nil {
				b.Fatal(err)
			}
			hooks := http.NewServeMux()
			whatsapp.New(messaging.Config{Desk: d}).Routes(hooks)
			srv := httptest.NewServer(hooks)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			url := srv.URL + "/hooks/whatsapp/" + acct.ID
			var seq atomic.Int64
			b.SetParallelism(8) // 8 × GOMAXPROCS concurrent deliveries
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					sender := 972500000000 + n
					if tc.customers > 0 {
						sender = 972500000000 + n%tc.customers
					}
					body := []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{`+
						`"messaging_product":"whatsapp","metadata":{"phone_number_id":"%s"},"contacts":[{"profile":{"name":"לקוח %d"},"wa_id":"%d"}],`+
						`"messages":[{"from":"%d","id":"wamid.bench%d","timestamp":"%d","type":"text","text":{"body":"שלום, ההזמנה %d שלי לא הגיעה"}}]}}]}]}`,
						phoneNumberID, n, sender, sender, n, time.Now().Unix(), n))
					req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
					req.Header.Set("X-Hub-Signature-256", sign(body, appSecret))
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
