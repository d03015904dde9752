package kesher

import (
	"context"
	"encoding/json"
	"time"
)

// ChannelAccount is one connected messaging account: a WhatsApp business
// number or a Telegram bot. Its ID names it in the webhook URL
// (/hooks/whatsapp/{id}, /hooks/telegram/{id}). Secrets never leave the
// server: the JSON form says only whether each one is set.
type ChannelAccount struct {
	ID string `json:"id"`
	// Kind is ChannelWhatsApp or ChannelTelegram.
	Kind Channel `json:"kind"`
	Name string  `json:"name"`
	// TeamID is the team new conversations of this account go to.
	TeamID string `json:"team_id"`
	// APIBase is the provider's API root, such as
	// https://graph.facebook.com/v21.0 or https://api.telegram.org.
	APIBase string `json:"api_base"`
	// PhoneNumberID is WhatsApp's id of the business number.
	PhoneNumberID string `json:"phone_number_id,omitempty"`
	// Token is WhatsApp's access token or Telegram's bot token.
	Token string `json:"-"`
	// AppSecret signs WhatsApp's webhook bodies (X-Hub-Signature-256).
	AppSecret string `json:"-"`
	// VerifyToken is WhatsApp's webhook verification token, or the secret
	// Telegram sends in X-Telegram-Bot-Api-Secret-Token.
	VerifyToken string `json:"-"`
	// Templates are WhatsApp's approved message templates, the only
	// messages a business may send outside the customer-service window.
	Templates []Template `json:"templates"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Template is an approved WhatsApp message template in one language.
type Template struct {
	Name     string `json:"name"`
	Language string `json:"language"`
}

// MarshalJSON says which secrets are set instead of showing them.
func (a ChannelAccount) MarshalJSON() ([]byte, error) {
	type plain ChannelAccount // drops this method, so Marshal does not recurse
	return json.Marshal(struct {
		plain
		HasToken       bool `json:"has_token"`
		HasAppSecret   bool `json:"has_app_secret"`
		HasVerifyToken bool `json:"has_verify_token"`
	}{plain(a), a.Token != "", a.AppSecret != "", a.VerifyToken != ""})
}

// Messaging channels' defaults and limits.
const (
	// WhatsAppWindow is WhatsApp's customer-service window: after it has
	// passed since the customer's last message, a business may send only
	// approved templates.
	WhatsAppWindow = 24 * time.Hour
	// MaxMediaBytes bounds one file fetched from a messaging provider.
	MaxMediaBytes = 25 << 20
)

// Deliveries reported by messaging providers after a message was sent.
const (
	DeliveryDelivered Delivery = "delivered"
	DeliveryRead      Delivery = "read"
)

// MessagingThread is what the desk keeps about a conversation held on a
// messaging channel: the account its replies go out from, whom they go
// to, and when the customer last wrote (WhatsApp's window runs from it).
type MessagingThread struct {
	ConversationID string `json:"conversation_id"`
	// AccountID is "" once the account is deleted.
	AccountID string `json:"account_id"`
	// Recipient is the WhatsApp number (wa_id) or the Telegram chat id.
	Recipient     string    `json:"recipient"`
	LastInboundAt time.Time `json:"last_inbound_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Messaging reads the messaging channels' accounts and threads.
type Messaging interface {
	ChannelAccount(ctx context.Context, id string) (*ChannelAccount, error)
	// ChannelAccounts lists accounts in the order they were created.
	ChannelAccounts(ctx context.Context, p Page) ([]*ChannelAccount, string, error)
	// MessagingThread returns the messaging state of a conversation;
	// ECodeNotFound for one that never had a messaging message.
	MessagingThread(ctx context.Context, conversationID string) (*MessagingThread, error)
}

// MessagingTx writes the messaging channels' accounts and threads.
type MessagingTx interface {
	// CreateChannelAccount inserts an account; a WhatsApp phone number id
	// another account has is ECodeConflict.
	CreateChannelAccount(ctx context.Context, a *ChannelAccount) error
	// UpdateChannelAccount saves every field of a but its kind and
	// creation time.
	UpdateChannelAccount(ctx context.Context, a *ChannelAccount) error
	// DeleteChannelAccount deletes an account; its threads keep no account.
	DeleteChannelAccount(ctx context.Context, id string) error
	// SaveMessagingThread inserts or replaces a conversation's thread.
	SaveMessagingThread(ctx context.Context, th *MessagingThread) error
}
