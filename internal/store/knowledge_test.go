package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/store"
)

// The knowledge base: categories and sections, articles in both
// languages with their translation groups, revisions, images, feedback
// and the help centre's raw activity.

func newCategory(he, en string, position int) *kesher.ArticleCategory {
	return &kesher.ArticleCategory{ID: newID(), Name: kesher.Names{He: he, En: en}, Description: kesher.Names{He: "תיאור " + he, En: "About " + en},
		Position: position, CreatedAt: at(0), UpdatedAt: at(0)}
}

func newSection(categoryID, he, en string, position int) *kesher.ArticleSection {
	return &kesher.ArticleSection{ID: newID(), CategoryID: categoryID, Name: kesher.Names{He: he, En: en}, Position: position,
		CreatedAt: at(0), UpdatedAt: at(0)}
}

// newArticle is a public published Hebrew article of section, updated at
// at(updated).
func newArticle(section, slug string, updated int) *kesher.Article {
	id := newID()
	return &kesher.Article{ID: id, GroupID: id, Language: "he", Title: "כותרת " + slug, Slug: slug, Summary: "",
		Body: "אפשר **להחזיר מוצר**", BodyHTML: "<p>אפשר <strong>להחזיר מוצר</strong></p>", SectionID: section,
		Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished, Revision: 1, CreatedBy: "u1", UpdatedBy: "u1",
		CreatedAt: at(0), UpdatedAt: at(updated), PublishedAt: at(updated)}
}

func articleID(a *kesher.Article) string { return a.ID }

func testArticleCategories(t *testing.T, db *store.DB) {
	delivery, returns := newCategory("משלוחים", "Delivery", 2), newCategory("החזרות", "Returns", 1)
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.SaveArticleCategory(ctx, delivery); err != nil {
			return err
		}
		return tx.SaveArticleCategory(ctx, returns)
	})
	if got, err := db.ArticleCategory(ctx, delivery.ID); err != nil || !cmp.Equal(delivery, got) {
		t.Errorf("ArticleCategory round trip: %s, %v", cmp.Diff(delivery, got), err)
	}
	cats, err := db.ArticleCategories(ctx)
	if want := []string{returns.ID, delivery.ID}; err != nil || !slices.Equal(ids(cats, func(c *kesher.ArticleCategory) string { return c.ID }), want) {
		t.Errorf("ArticleCategories by position = %v, %v; want %v", cats, err, want)
	}
	// Saving again replaces the fields and keeps the creation time.
	changed := *delivery
	changed.Name.En, changed.Position, changed.CreatedAt, changed.UpdatedAt = "Shipping", 0, at(50), at(60)
	write(t, db, func(tx kesher.Tx) error { return tx.SaveArticleCategory(ctx, &changed) })
	got, _ := db.ArticleCategory(ctx, delivery.ID)
	if got.Name.En != "Shipping" || got.Position != 0 || !got.CreatedAt.Equal(at(0)) || !got.UpdatedAt.Equal(at(60)) {
		t.Errorf("after a second save: %+v", got)
	}

	times := newSection(delivery.ID, "זמני משלוח", "Delivery times", 2)
	costs := newSection(delivery.ID, "עלויות", "Costs", 1)
	policy := newSection(returns.ID, "מדיניות", "Policy", 0)
	write(t, db, func(tx kesher.Tx) error {
		for _, s := range []*kesher.ArticleSection{times, costs, policy} {
			if err := tx.SaveArticleSection(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if got, err := db.ArticleSection(ctx, times.ID); err != nil || !cmp.Equal(times, got) {
		t.Errorf("ArticleSection round trip: %s, %v", cmp.Diff(times, got), err)
	}
	sectionID := func(s *kesher.ArticleSection) string { return s.ID }
	// Delivery (position 0 now) comes before returns (1).
	if all, err := db.ArticleSections(ctx, ""); err != nil || !slices.Equal(ids(all, sectionID), []string{costs.ID, times.ID, policy.ID}) {
		t.Errorf("ArticleSections of all = %v, %v", ids(all, sectionID), err)
	}
	if some, err := db.ArticleSections(ctx, returns.ID); err != nil || !slices.Equal(ids(some, sectionID), []string{policy.ID}) {
		t.Errorf("ArticleSections of returns = %v, %v", ids(some, sectionID), err)
	}
	if none, err := db.ArticleSections(ctx, "nothing"); err != nil || none == nil || len(none) != 0 {
		t.Errorf("ArticleSections of an unknown category = %v, %v; want an empty list", none, err)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.SaveArticleSection(ctx, newSection("nothing", "x", "x", 0)) })
	wantCode(t, "section of an unknown category", err, kesher.ECodeNotFound)

	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteArticleCategory(ctx, returns.ID) })
	wantCode(t, "deleting a category with sections", err, kesher.ECodeConflict)
	a := newArticle(policy.ID, "מדיניות-החזרות", 1)
	write(t, db, func(tx kesher.Tx) error { return tx.CreateArticle(ctx, a) })
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteArticleSection(ctx, policy.ID) })
	wantCode(t, "deleting a section with articles", err, kesher.ECodeConflict)
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.DeleteArticle(ctx, a.ID); err != nil {
			return err
		}
		if err := tx.DeleteArticleSection(ctx, policy.ID); err != nil {
			return err
		}
		return tx.DeleteArticleCategory(ctx, returns.ID)
	})
	_, err = db.ArticleCategory(ctx, returns.ID)
	wantCode(t, "a deleted category", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteArticleSection(ctx, policy.ID) })
	wantCode(t, "deleting a missing section", err, kesher.ECodeNotFound)
}

func testArticles(t *testing.T, db *store.DB) {
	delivery, returns := newCategory("משלוחים", "Delivery", 0), newCategory("החזרות", "Returns", 1)
	times, policy := newSection(delivery.ID, "זמני משלוח", "Delivery times", 0), newSection(returns.ID, "מדיניות", "Policy", 0)
	write(t, db, func(tx kesher.Tx) error {
		for _, c := range []*kesher.ArticleCategory{delivery, returns} {
			if err := tx.SaveArticleCategory(ctx, c); err != nil {
				return err
			}
		}
		for _, s := range []*kesher.ArticleSection{times, policy} {
			if err := tx.SaveArticleSection(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})

	ret := newArticle(policy.ID, "מדיניות-החזרות", 10)
	ret.Position, ret.Summary = 2, "איך מחזירים מוצר"
	retEn := newArticle(policy.ID, "return-policy", 11)
	retEn.GroupID, retEn.Language, retEn.Title, retEn.Position = ret.GroupID, "en", "Return policy", 1
	late := newArticle(times.ID, "משלוח-מאחר", 12)
	late.Visibility = kesher.VisibilityInternal
	draft := newArticle(times.ID, "טיוטה", 13)
	draft.State, draft.PublishedAt = kesher.ArticleDraft, time.Time{}
	loose := newArticle("", "ללא-מדור", 14)
	loose.Visibility, loose.State = kesher.VisibilityInternal, kesher.ArticleDraft
	all := []*kesher.Article{ret, retEn, late, draft, loose}
	write(t, db, func(tx kesher.Tx) error {
		for _, a := range all {
			if err := tx.CreateArticle(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	ret.CategoryID, retEn.CategoryID, late.CategoryID, draft.CategoryID = returns.ID, returns.ID, delivery.ID, delivery.ID
	if got, err := db.Article(ctx, ret.ID); err != nil || !cmp.Equal(ret, got) {
		t.Errorf("Article round trip: %s, %v", cmp.Diff(ret, got), err)
	}
	if got, err := db.ArticleBySlug(ctx, "he", "מדיניות-החזרות"); err != nil || got.ID != ret.ID {
		t.Errorf("ArticleBySlug with a Hebrew slug = %v, %v", got, err)
	}
	_, err := db.ArticleBySlug(ctx, "en", "מדיניות-החזרות")
	wantCode(t, "a slug of the other language", err, kesher.ECodeNotFound)
	if got, err := db.Article(ctx, loose.ID); err != nil || got.SectionID != "" || got.CategoryID != "" {
		t.Errorf("an article without a section: %+v, %v", got, err)
	}

	// A slug is unique per language; a group holds one version per language.
	taken := newArticle(times.ID, "return-policy", 20)
	taken.Language = "en"
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateArticle(ctx, taken) })
	wantCode(t, "a taken slug", err, kesher.ECodeConflict)
	taken.Language = "he"
	write(t, db, func(tx kesher.Tx) error { return tx.CreateArticle(ctx, taken) })
	second := newArticle(times.ID, "second-english", 21)
	second.GroupID, second.Language = ret.GroupID, "en"
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateArticle(ctx, second) })
	wantCode(t, "a second English version in one group", err, kesher.ECodeConflict)
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteArticle(ctx, taken.ID) })

	for _, tt := range []struct {
		name string
		f    kesher.ArticleFilter
		want []*kesher.Article
	}{
		{"all, newest first", kesher.ArticleFilter{}, []*kesher.Article{loose, draft, late, retEn, ret}},
		{"category", kesher.ArticleFilter{CategoryID: delivery.ID}, []*kesher.Article{draft, late}},
		{"section", kesher.ArticleFilter{SectionID: policy.ID}, []*kesher.Article{retEn, ret}},
		{"language", kesher.ArticleFilter{Language: "en"}, []*kesher.Article{retEn}},
		{"visibility", kesher.ArticleFilter{Visibility: kesher.VisibilityInternal}, []*kesher.Article{loose, late}},
		{"state", kesher.ArticleFilter{State: kesher.ArticleDraft}, []*kesher.Article{loose, draft}},
		{"translation group", kesher.ArticleFilter{GroupID: ret.GroupID}, []*kesher.Article{retEn, ret}},
		{"help centre: public published, by position", kesher.ArticleFilter{Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished,
			SectionID: policy.ID, ByPosition: true}, []*kesher.Article{retEn, ret}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := db.Articles(ctx, tt.f)
			if err != nil || next != "" || !slices.Equal(ids(got, articleID), ids(tt.want, articleID)) {
				t.Errorf("Articles = %v, %q, %v; want %v", ids(got, articleID), next, err, ids(tt.want, articleID))
			}
			if n, err := db.CountArticles(ctx, tt.f, 100); err != nil || n != len(tt.want) {
				t.Errorf("CountArticles = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
	if n, err := db.CountArticles(ctx, kesher.ArticleFilter{}, 2); err != nil || n != 2 {
		t.Errorf("CountArticles up to 2 = %d, %v", n, err)
	}
	// Pages, in both orders, neither skip nor repeat.
	for _, byPosition := range []bool{false, true} {
		var seen []string
		cursor := ""
		for range len(all) + 1 {
			page, next, err := db.Articles(ctx, kesher.ArticleFilter{ByPosition: byPosition, Page: kesher.Page{Limit: 2, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, ids(page, articleID)...)
			if cursor = next; next == "" {
				break
			}
		}
		want := []string{loose.ID, draft.ID, late.ID, retEn.ID, ret.ID}
		if byPosition {
			// Positions 0, 0, 0, 1, 2, ties by id.
			want = []string{late.ID, draft.ID, loose.ID, retEn.ID, ret.ID}
		}
		if !slices.Equal(seen, want) {
			t.Errorf("pages by position %v: %v, want %v", byPosition, seen, want)
		}
	}
	_, _, err = db.Articles(ctx, kesher.ArticleFilter{Page: kesher.Page{Cursor: "%%%"}})
	wantField(t, "a bad cursor", err, "cursor")

	// An update saves every field; moving the section moves the category.
	late.Title, late.Slug, late.SectionID, late.CategoryID = "משלוח שמתעכב", "משלוח-מתעכב", policy.ID, returns.ID
	late.Visibility, late.State, late.Revision, late.UpdatedBy, late.UpdatedAt = kesher.VisibilityPublic, kesher.ArticleDraft, 2, "u2", at(30)
	late.Body, late.BodyHTML, late.Position, late.GroupID = "חדש", "<p>חדש</p>", 7, ret.GroupID+"x"
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateArticle(ctx, late) })
	if got, err := db.Article(ctx, late.ID); err != nil || !cmp.Equal(late, got) {
		t.Errorf("after UpdateArticle: %s, %v", cmp.Diff(late, got), err)
	}
	late.Slug = "return-policy"
	late.Language = "en"
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateArticle(ctx, late) })
	wantCode(t, "an update to a taken slug", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateArticle(ctx, &kesher.Article{ID: "missing", GroupID: "g"}) })
	wantCode(t, "updating a missing article", err, kesher.ECodeNotFound)
}

func testArticleRevisions(t *testing.T, db *store.DB) {
	a := newArticle("", "גרסאות", 1)
	write(t, db, func(tx kesher.Tx) error { return tx.CreateArticle(ctx, a) })
	var revs []*kesher.ArticleRevision
	write(t, db, func(tx kesher.Tx) error {
		for n := 1; n <= 5; n++ {
			r := &kesher.ArticleRevision{ArticleID: a.ID, Number: n, Title: "כותרת", Summary: "תקציר", Body: "גוף " + string(rune('א'+n)),
				AuthorID: "u1", CreatedAt: at(n)}
			if n == 5 {
				r.RestoredFrom = 2
			}
			if err := tx.CreateArticleRevision(ctx, r); err != nil {
				return err
			}
			revs = append(revs, r)
		}
		return nil
	})
	if got, err := db.ArticleRevision(ctx, a.ID, 5); err != nil || !cmp.Equal(revs[4], got) {
		t.Errorf("ArticleRevision round trip: %s, %v", cmp.Diff(revs[4], got), err)
	}
	_, err := db.ArticleRevision(ctx, a.ID, 9)
	wantCode(t, "a missing revision", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.CreateArticleRevision(ctx, &kesher.ArticleRevision{ArticleID: a.ID, Number: 3, CreatedAt: at(9)})
	})
	wantCode(t, "a taken revision number", err, kesher.ECodeConflict)

	var numbers []int
	cursor := ""
	for range 4 {
		page, next, err := db.ArticleRevisions(ctx, a.ID, kesher.Page{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			numbers = append(numbers, r.Number)
		}
		if cursor = next; next == "" {
			break
		}
	}
	if !slices.Equal(numbers, []int{5, 4, 3, 2, 1}) {
		t.Errorf("revisions newest first in pages = %v", numbers)
	}

	// Deleting the article deletes its revisions and feedback.
	write(t, db, func(tx kesher.Tx) error {
		return tx.SaveArticleFeedback(ctx, &kesher.ArticleFeedback{ArticleID: a.ID, Visitor: 7, Helpful: true, At: at(1)})
	})
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteArticle(ctx, a.ID) })
	if page, _, err := db.ArticleRevisions(ctx, a.ID, kesher.Page{}); err != nil || len(page) != 0 {
		t.Errorf("revisions of a deleted article: %d, %v", len(page), err)
	}
	if counts, err := db.FeedbackCounts(ctx, time.Time{}, time.Time{}); err != nil || len(counts) != 0 {
		t.Errorf("feedback of a deleted article: %v, %v", counts, err)
	}
}

func testArticleImages(t *testing.T, db *store.DB) {
	png := []byte("\x89PNG\r\n\x1a\n" + "pretend image data")
	img := &kesher.ArticleImage{SHA256: sha(png), ContentType: "image/png", Size: len(png), Name: "תרשים.png", CreatedBy: "u1", CreatedAt: at(1)}
	err := db.Write(ctx, func(tx kesher.Tx) error { return tx.SaveArticleImage(ctx, img) })
	wantCode(t, "an image without its blob", err, kesher.ECodeNotFound)
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.PutBlob(ctx, img.SHA256, png); err != nil {
			return err
		}
		return tx.SaveArticleImage(ctx, img)
	})
	again := *img
	again.Name, again.CreatedBy = "other.png", "u2"
	write(t, db, func(tx kesher.Tx) error { return tx.SaveArticleImage(ctx, &again) })
	if got, err := db.ArticleImage(ctx, img.SHA256); err != nil || !cmp.Equal(img, got) {
		t.Errorf("ArticleImage keeps the first upload: %s, %v", cmp.Diff(img, got), err)
	}
	_, err = db.ArticleImage(ctx, sha([]byte("missing")))
	wantCode(t, "a missing image", err, kesher.ECodeNotFound)
}

func testHelpActivity(t *testing.T, db *store.DB) {
	a, b := newArticle("", "a", 1), newArticle("", "b", 1)
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.CreateArticle(ctx, a); err != nil {
			return err
		}
		return tx.CreateArticle(ctx, b)
	})
	big := kesher.VisitorID(1<<62 + 12345)
	write(t, db, func(tx kesher.Tx) error {
		for _, f := range []*kesher.ArticleFeedback{
			{ArticleID: a.ID, Visitor: 1, Helpful: true, At: at(10)},
			{ArticleID: a.ID, Visitor: 2, Helpful: true, At: at(20)},
			{ArticleID: a.ID, Visitor: big, Helpful: false, At: at(30)},
			{ArticleID: b.ID, Visitor: 1, Helpful: false, At: at(40)},
			// Visitor 2 changes their mind.
			{ArticleID: a.ID, Visitor: 2, Helpful: false, At: at(50)},
		} {
			if err := tx.SaveArticleFeedback(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	counts, err := db.FeedbackCounts(ctx, time.Time{}, time.Time{})
	want := map[string]kesher.Feedback{a.ID: {Helpful: 1, NotHelpful: 2}, b.ID: {NotHelpful: 1}}
	if err != nil || !cmp.Equal(counts, want) {
		t.Errorf("FeedbackCounts of all time: %s, %v", cmp.Diff(want, counts), err)
	}
	counts, err = db.FeedbackCounts(ctx, at(20), at(50))
	if want := map[string]kesher.Feedback{a.ID: {NotHelpful: 1}, b.ID: {NotHelpful: 1}}; err != nil || !cmp.Equal(counts, want) {
		t.Errorf("FeedbackCounts of [20, 50): %s, %v", cmp.Diff(want, counts), err)
	}
	if f, err := db.ArticleFeedbackOf(ctx, a.ID, big); err != nil || f.Helpful || f.Visitor != big || !f.At.Equal(at(30)) {
		t.Errorf("ArticleFeedbackOf a large visitor id: %+v, %v", f, err)
	}
	_, err = db.ArticleFeedbackOf(ctx, b.ID, 2)
	wantCode(t, "feedback never given", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.SaveArticleFeedback(ctx, &kesher.ArticleFeedback{ArticleID: "missing", Visitor: 1, At: at(1)})
	})
	wantCode(t, "feedback on a missing article", err, kesher.ECodeNotFound)

	events := []*kesher.HelpEvent{
		{Visitor: 2, At: at(5), Kind: kesher.HelpView, Ref: a.ID},
		{Visitor: big, At: at(1), Kind: kesher.HelpSearch, Query: "איך מחזירים מוצר", Results: 3},
		{Visitor: 2, At: at(2), Kind: kesher.HelpSearch, Query: "invoice", Results: 0},
		{Visitor: 2, At: at(9), Kind: kesher.HelpContact, Ref: "conv1"},
		{Visitor: 1, At: at(100), Kind: kesher.HelpView, Ref: b.ID},
	}
	write(t, db, func(tx kesher.Tx) error {
		for _, e := range events {
			if err := tx.RecordHelpEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	var got []*kesher.HelpEvent
	collect := func(e *kesher.HelpEvent) error { got = append(got, e); return nil }
	if err := db.EachHelpEvent(ctx, at(1), at(100), collect); err != nil {
		t.Fatal(err)
	}
	if want := []*kesher.HelpEvent{events[2], events[0], events[3], events[1]}; !cmp.Equal(got, want) {
		t.Errorf("EachHelpEvent of [1, 100) by visitor and time: %s", cmp.Diff(want, got))
	}
	got = nil
	if err := db.EachHelpEvent(ctx, time.Time{}, time.Time{}, collect); err != nil || len(got) != len(events) {
		t.Errorf("EachHelpEvent of all time: %d events, %v", len(got), err)
	}
	stop := kesher.Errorf(kesher.ECodeConflict, "enough")
	n := 0
	err = db.EachHelpEvent(ctx, time.Time{}, time.Time{}, func(*kesher.HelpEvent) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("EachHelpEvent stops at fn's error: %v after %d", err, n)
	}
}
