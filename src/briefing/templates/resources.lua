-- Embed the project's own images in the EPUB. Pandoc runs with --sandbox, so its
-- writer reads no image from disk; briefing lists the images that resolve inside the
-- project (resources.json, named by $BRIEFING_RESOURCES) and this trusted filter puts
-- exactly those in the media bag.
-- Anything else stays unreadable and Pandoc reports it.

function Pandoc(doc)
  local list = os.getenv("BRIEFING_RESOURCES")
  if not list or list == "" then return doc end
  local handle = io.open(list, "r")
  if not handle then return doc end
  local allowed = pandoc.json.decode(handle:read("a"), false)
  handle:close()
  return doc:walk({
    Image = function(image)
      local entry = allowed[image.src]
      if entry then
        local file = io.open(entry.path, "rb")
        if file then
          pandoc.mediabag.insert(image.src, entry.mime, file:read("a"))
          file:close()
        end
      end
      return image
    end,
  })
end
