-- The EPUB's and the DOCX's own page saying what they are, in text: the PDF and the
-- HTML carry it on their cover and verso (briefing.html), a reader of these two had it
-- only inside the cover image. Built from the document's metadata (compose/metadata.py),
-- already Markdown read by Pandoc, and put before the first chapter, unnumbered.

local function plain(value)
  if value == nil then return nil end
  local kind = pandoc.utils.type(value)
  if kind == "Inlines" then return value end
  if kind == "string" then return pandoc.Inlines(value) end
  return pandoc.Inlines(pandoc.utils.stringify(value))
end

function Pandoc(doc)
  local meta = doc.meta
  local labels = meta.labels or {}
  local title = plain(labels.about_edition)
  if title == nil then return doc end
  local function para(inlines, class)
    return pandoc.Div({ pandoc.Para(inlines) }, pandoc.Attr("", { class }))
  end
  local version = pandoc.Inlines({})
  version:extend(plain(labels.version))
  version:insert(pandoc.Space())
  version:extend(plain(meta.version))
  version:insert(pandoc.Str(","))
  version:insert(pandoc.Space())
  version:extend(plain(meta["date-display"]))
  local blocks = {
    pandoc.Header(1, title, pandoc.Attr("about-this-edition", { "unnumbered", "colophon" })),
    para(version, "colophon-version"),
  }
  -- The authors as people ([document] authors), with their role, affiliation and ORCID.
  for _, person in ipairs(meta.people or {}) do
    local line = pandoc.Inlines({ pandoc.Strong(plain(person.name)) })
    for _, key in ipairs({ "role", "affiliation" }) do
      local value = plain(person[key])
      if value and #value > 0 then
        line:insert(pandoc.Str(","))
        line:insert(pandoc.Space())
        line:extend(value)
      end
    end
    local orcid = person.orcid and pandoc.utils.stringify(person.orcid) or ""
    if orcid ~= "" then
      line:insert(pandoc.Space())
      line:insert(pandoc.Link("ORCID " .. orcid, "https://orcid.org/" .. orcid))
    end
    table.insert(blocks, para(line, "colophon-author"))
  end
  if meta.updates then table.insert(blocks, para(plain(meta.updates), "colophon-updates")) end
  if meta.basis then table.insert(blocks, para(plain(meta.basis), "colophon-basis")) end
  for _, id in ipairs(meta.identifier or {}) do
    table.insert(blocks, para(plain(id.text), "colophon-identifier"))
  end
  local cite = plain(labels.how_to_cite)
  if cite and meta["how-to-cite"] then
    table.insert(blocks, pandoc.Div({
      pandoc.Para({ pandoc.Strong(cite) }),
      pandoc.Para(plain(meta["how-to-cite"])),
      pandoc.Para(plain(labels.cite_paragraph)),
    }, pandoc.Attr("", { "how-to-cite" })))
  end
  -- Contact, licence, acknowledgements, disclaimer: where the PDF's verso prints them.
  local words = meta["authorship-labels"] or {}
  local function labelled(label, value, class)
    if value == nil or #value == 0 then return end
    local line = pandoc.Inlines({})
    if label then
      line:insert(pandoc.Strong(plain(label)))
      line:insert(pandoc.Str(":"))
      line:insert(pandoc.Space())
    end
    line:extend(value)
    table.insert(blocks, para(line, class))
  end
  labelled(words.contact, plain(meta.contact), "colophon-contact")
  if meta.licence then
    local line = plain(meta.licence.text)
    local url = pandoc.utils.stringify(meta.licence.url)
    line:insert(pandoc.Space())
    line:insert(pandoc.Link(url, url, "", pandoc.Attr("", { "url" })))
    labelled(nil, line, "colophon-licence")
  end
  labelled(words.acknowledgements, plain(meta.acknowledgements), "colophon-acknowledgements")
  labelled(nil, plain(meta.disclaimer), "colophon-disclaimer")
  doc.blocks = pandoc.Blocks(blocks) .. doc.blocks
  return doc
end
