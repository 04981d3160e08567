-- The changelog's inserted and deleted words (compose/changelog.py writes them as the
-- spans [words]{.ins} and [words]{.del}) as what each format has for them: the <ins> and
-- <del> elements in HTML and EPUB (styled apart from links in screen.css, print.css and
-- epub.css), underline and strikethrough in Word. Not Word's tracked changes, which
-- Pandoc can write from .insertion/.deletion spans: a published document should not
-- offer its reader to "accept all changes", and Pandoc 3.9 gives an insertion and a
-- deletion the same w:id.
local html = FORMAT:match("html") or FORMAT:match("epub")

function Span(span)
  -- Only a span that is nothing but the mark: one an author gave an id or more classes
  -- keeps them.
  if #span.classes ~= 1 or span.identifier ~= "" or #span.attributes ~= 0 then
    return nil
  end
  local tag = span.classes[1]
  if tag ~= "ins" and tag ~= "del" then
    return nil
  end
  if html then
    local out = pandoc.Inlines({pandoc.RawInline("html", "<" .. tag .. ">")})
    out:extend(span.content)
    out:insert(pandoc.RawInline("html", "</" .. tag .. ">"))
    return out
  end
  if tag == "ins" then
    return pandoc.Underline(span.content)
  end
  return pandoc.Strikeout(span.content)
end
