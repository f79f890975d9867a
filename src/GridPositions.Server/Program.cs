using GridPositions.Server;

// dotnet run --project src/GridPositions.Server -- --urls http://127.0.0.1:5055 \
//   --GridPositions:StoreDirectory=/var/lib/bot/positions \
//   --GridPositions:Managers:0:Account=main --GridPositions:Managers:0:Options:Symbol=BTCUSDT \
//   --GridPositions:Managers:0:Options:TickSize=0.01 --GridPositions:Managers:0:Options:QuantityStep=0.001
await PositionServer.Build(args).RunAsync().ConfigureAwait(false);
